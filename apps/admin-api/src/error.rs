//! The one error type of the HTTP layer: every failure becomes `{"error": {"code", "message"}}`
//! with its status. 5xx bodies say nothing internal; the cause goes to the log.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// What went wrong, as the API reports it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No `Authorization: Bearer …` header, or a token that is unknown or revoked.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// A valid token whose user lacks the admin role.
    #[error("this route needs an admin token")]
    Forbidden,
    /// Bad query parameters or body.
    #[error("{0}")]
    BadRequest(String),
    /// No such route or resource (the message names it).
    #[error("{0}")]
    NotFound(String),
    /// The database failed (its message goes to the log only).
    #[error("database error")]
    Db(#[from] sea_orm::DbErr),
    /// A required service is not available right now.
    #[error("{0}")]
    Unavailable(&'static str),
    /// A bug or an impossible state (the detail goes to the log only).
    #[error("internal error")]
    Internal(String),
    /// A request body over its limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// A product named with a store it does not belong to.
    #[error("product {product_id} does not belong to store {store_id}")]
    ProductOfAnotherStore {
        /// The product.
        product_id: i64,
        /// The store named with it.
        store_id: i64,
    },
    /// The merchant has no live subscription, so none of its plan's limits can be granted.
    #[error("merchant {0} has no live subscription")]
    NoLiveSubscription(i64),
    /// An image upload or delete failed.
    #[error(transparent)]
    Image(#[from] images::Error),
}

/// The error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// A stable code and a human message.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `unauthorized`, `forbidden`, `bad_request`, `not_found`,
    /// `unavailable`, `internal`, `payload_too_large`, `unsupported_media_type`, `invalid_image`,
    /// `product_of_another_store`, `no_live_subscription`, `limit_reached`.
    #[schema(example = "bad_request")]
    pub code: &'static str,
    /// For people.
    pub message: String,
}

impl ApiError {
    fn code(&self) -> &'static str {
        self.kind().1
    }

    /// Status and code: one exhaustive match, so a new domain error forces a decision.
    fn kind(&self) -> (StatusCode, &'static str) {
        use images::PipelineError as Rejected;
        match self {
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Db(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::ProductOfAnotherStore { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "product_of_another_store")
            }
            ApiError::NoLiveSubscription(_) => (StatusCode::FORBIDDEN, "no_live_subscription"),
            ApiError::Image(error) => match error {
                images::Error::Rejected(Rejected::Empty) => (StatusCode::BAD_REQUEST, "bad_request"),
                images::Error::Rejected(Rejected::TooLarge { .. }) => {
                    (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
                }
                images::Error::Rejected(Rejected::UnsupportedFormat) => {
                    (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
                }
                images::Error::Rejected(Rejected::TooManyPixels { .. } | Rejected::Corrupt(_)) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "invalid_image")
                }
                images::Error::Rejected(Rejected::Encode(_)) => {
                    (StatusCode::INTERNAL_SERVER_ERROR, "internal")
                }
                images::Error::LimitReached { .. } => (StatusCode::FORBIDDEN, "limit_reached"),
                images::Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
                images::Error::Storage(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
                images::Error::Db(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            },
        }
    }

    /// What the body says: the error itself for 4xx, nothing internal for 5xx.
    fn message(&self) -> String {
        match self {
            ApiError::Image(images::Error::Storage(_)) => "image storage is unavailable".to_owned(),
            ApiError::Image(_) if self.status_code().is_server_error() => "internal error".to_owned(),
            _ => self.to_string(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind().0
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Db(cause) => tracing::error!(error = %cause, "request failed on the database"),
            ApiError::Internal(cause) => tracing::error!(error = %cause, "request failed"),
            ApiError::Image(cause) if self.status_code().is_server_error() => {
                tracing::error!(error = %cause, "image request failed");
            }
            _ => {}
        }
        let body = ErrorBody { error: ErrorDetail { code: self.code(), message: self.message() } };
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self, ApiError::Unauthorized(_)) {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        response.json(body)
    }
}
