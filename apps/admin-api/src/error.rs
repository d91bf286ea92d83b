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
    /// No such route.
    #[error("no route {0}")]
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
    /// `unavailable`, `internal`.
    #[schema(example = "bad_request")]
    pub code: &'static str,
    /// For people.
    pub message: String,
}

impl ApiError {
    fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::NotFound(_) => "not_found",
            ApiError::Db(_) => "internal",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Db(cause) => tracing::error!(error = %cause, "request failed on the database"),
            ApiError::Internal(cause) => tracing::error!(error = %cause, "request failed"),
            _ => {}
        }
        let body = ErrorBody { error: ErrorDetail { code: self.code(), message: self.to_string() } };
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self, ApiError::Unauthorized(_)) {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        response.json(body)
    }
}
