//! The one error type of the HTTP layer: every failure becomes `{"error": {"code", "message"}}`
//! with its status. Domain errors map by one exhaustive `match` per crate, so a new variant forces
//! a decision here. 5xx bodies say nothing internal; the cause goes to the log.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use sea_orm::{DbErr, RuntimeErr, SqlxError};
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
    /// Bad query parameters, path or body.
    #[error("{0}")]
    BadRequest(String),
    /// No such route or resource (the message names it).
    #[error("{0}")]
    NotFound(String),
    /// A request body over its limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// A byte range beyond the file's size (which it names).
    #[error("the range asked for lies beyond the file's {0} bytes")]
    RangeNotSatisfiable(u64),
    /// A required service is not available right now.
    #[error("{0}")]
    Unavailable(&'static str),
    /// The database failed outside a domain call (its message goes to the log only).
    #[error("database error")]
    Db(#[from] sea_orm::DbErr),
    /// A response could not be encoded (a bug).
    #[error("encoding the response failed")]
    Encode(#[from] serde_json::Error),
    /// Stores.
    #[error(transparent)]
    Stores(#[from] stores::Error),
    /// Billing.
    #[error(transparent)]
    Billing(#[from] billing::Error),
    /// Images.
    #[error(transparent)]
    Images(#[from] images::Error),
    /// Forecast.
    #[error(transparent)]
    Forecast(#[from] forecast::Error),
    /// Accounts.
    #[error(transparent)]
    Accounts(#[from] accounts::Error),
    /// The rate limiter's shared backend.
    #[error(transparent)]
    Quotas(#[from] quotas::Error),
    /// Alerts.
    #[error(transparent)]
    Alerts(#[from] alerts::Error),
}

/// The answers every admin route may give besides its own: no valid token, not an admin, the
/// token's rate limit reached, or the database (which checks the token) unreachable.
#[derive(utoipa::IntoResponses)]
pub enum AdminErrors {
    /// No valid token (`unauthorized`).
    #[response(status = 401, description = "No valid token")]
    Unauthorized(ErrorBody),
    /// A valid token of a user who is not an admin (`forbidden`).
    #[response(status = 403, description = "Not an admin")]
    Forbidden(ErrorBody),
    /// The token's rate limit is reached (`rate_limited`; `Retry-After` says when to come back).
    #[response(status = 429, description = "Rate limit reached; see Retry-After and X-RateLimit-*")]
    RateLimited(ErrorBody),
    /// The database or another backing service cannot be reached right now (`unavailable`; retry).
    #[response(
        status = 503,
        description = "A backing service (the database, image storage, Redis) is unreachable right now; retry"
    )]
    Unavailable(ErrorBody),
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
    /// `conflict`, `unavailable`, `internal`, `payload_too_large`, `range_not_satisfiable`,
    /// `unsupported_media_type`, `invalid_image`, `product_of_another_store`,
    /// `no_live_subscription`, `limit_reached`, `rate_limited`, `insufficient_storage`.
    #[schema(example = "bad_request")]
    pub code: &'static str,
    /// For people.
    pub message: String,
}

type Kind = (StatusCode, &'static str);
const INTERNAL: Kind = (StatusCode::INTERNAL_SERVER_ERROR, "internal");
const CONFLICT: Kind = (StatusCode::CONFLICT, "conflict");
const NOT_FOUND: Kind = (StatusCode::NOT_FOUND, "not_found");
const UNAVAILABLE: Kind = (StatusCode::SERVICE_UNAVAILABLE, "unavailable");

/// A database error is a 503 the client may retry when the database cannot be reached right now
/// (down, restarting, the connection lost, no connection free in time); any other is a bug (500).
fn db_kind(error: &DbErr) -> Kind {
    let unreachable = match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) => {
            match &**error {
                SqlxError::Io(_)
                | SqlxError::Tls(_)
                | SqlxError::PoolTimedOut
                | SqlxError::PoolClosed
                | SqlxError::WorkerCrashed => true,
                // SQLSTATE class 08 (connection exception) and 57P (the server shutting down,
                // starting up, or its connection terminated by an administrator).
                SqlxError::Database(error) => {
                    error.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P"))
                }
                _ => false,
            }
        }
        _ => false,
    };
    if unreachable { UNAVAILABLE } else { INTERNAL }
}

fn stores_kind(error: &stores::Error) -> Kind {
    use stores::Error as E;
    match error {
        E::StoreNotFound(_) | E::ProductNotFound(_) => NOT_FOUND,
        E::ProductOfAnotherStore { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "product_of_another_store"),
        E::DuplicateDomain(_)
        | E::SecondPrimaryDomain(_)
        | E::DuplicateSku { .. }
        | E::DuplicateStoreCode(_)
        | E::DuplicateTeamMember { .. } => CONFLICT,
        E::InvalidOrder(_) => (StatusCode::BAD_REQUEST, "bad_request"),
        E::Db(error) => db_kind(error),
    }
}

fn billing_kind(error: &billing::Error) -> Kind {
    use billing::Error as E;
    match error {
        E::LimitExceeded(_) => (StatusCode::FORBIDDEN, "limit_reached"),
        E::NoLiveSubscription(_) => (StatusCode::FORBIDDEN, "no_live_subscription"),
        E::AlreadySubscribed(_) | E::InvalidTransition { .. } => CONFLICT,
        E::SubscriptionNotFound(_) => NOT_FOUND,
        E::Store(error) => stores_kind(error),
        E::Db(error) => db_kind(error),
        E::TierNotInCatalogue(_) => INTERNAL,
    }
}

fn images_kind(error: &images::Error) -> Kind {
    use images::{Error as E, PipelineError as Rejected};
    match error {
        E::Rejected(Rejected::Empty) => (StatusCode::BAD_REQUEST, "bad_request"),
        E::Rejected(Rejected::TooLarge { .. }) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
        E::Rejected(Rejected::UnsupportedFormat) => {
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
        }
        E::Rejected(Rejected::TooManyPixels { .. } | Rejected::Corrupt(_)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_image")
        }
        E::LimitReached { .. } => (StatusCode::FORBIDDEN, "limit_reached"),
        E::NotFound(_) => NOT_FOUND,
        E::Storage(full) if full.is_full() => (StatusCode::INSUFFICIENT_STORAGE, "insufficient_storage"),
        E::Storage(_) => UNAVAILABLE,
        E::Db(error) => db_kind(error),
        E::Rejected(Rejected::Encode(_)) => INTERNAL,
    }
}

fn forecast_kind(error: &forecast::Error) -> Kind {
    use forecast::Error as E;
    match error {
        E::Sizing(_) | E::InvalidInput(_) => (StatusCode::BAD_REQUEST, "bad_request"),
        E::Measure(health::Error::Billing(error)) => billing_kind(error),
        E::Measure(health::Error::Db(error)) | E::Db(error) => db_kind(error),
        E::Csv(_) | E::Compute(_) => INTERNAL,
    }
}

impl ApiError {
    /// Status and code.
    fn kind(&self) -> Kind {
        match self {
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::NotFound(_) => NOT_FOUND,
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::RangeNotSatisfiable(_) => (StatusCode::RANGE_NOT_SATISFIABLE, "range_not_satisfiable"),
            ApiError::Unavailable(_) => UNAVAILABLE,
            ApiError::Db(error) => db_kind(error),
            ApiError::Encode(_) => INTERNAL,
            ApiError::Stores(error) => stores_kind(error),
            ApiError::Billing(error) => billing_kind(error),
            ApiError::Images(error) => images_kind(error),
            ApiError::Forecast(error) => forecast_kind(error),
            ApiError::Accounts(accounts::Error::InvalidEmail(_)) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Accounts(accounts::Error::Db(error)) => db_kind(error),
            ApiError::Quotas(quotas::Error::Redis(_)) => UNAVAILABLE,
            ApiError::Quotas(quotas::Error::Protocol(_)) => INTERNAL,
            ApiError::Alerts(alerts::Error::NotFound(_)) => NOT_FOUND,
            ApiError::Alerts(alerts::Error::Resolved(_)) => CONFLICT,
            ApiError::Alerts(alerts::Error::InvalidSilence(_)) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Alerts(alerts::Error::Db(error)) => db_kind(error),
        }
    }

    /// What the body says: the error itself for 4xx, nothing internal for 5xx.
    fn message(&self) -> String {
        let status = self.kind().0;
        let message = match self {
            ApiError::Images(images::Error::Storage(_)) if status == StatusCode::INSUFFICIENT_STORAGE => {
                "image storage is full; nothing was stored"
            }
            ApiError::Images(images::Error::Storage(_)) => "image storage is unavailable",
            ApiError::Accounts(accounts::Error::Db(_)) if status == StatusCode::SERVICE_UNAVAILABLE => {
                "the token cannot be checked: the database is unavailable"
            }
            ApiError::Quotas(quotas::Error::Redis(_)) => "the rate limiter's Redis is unavailable",
            ApiError::Unavailable(_) => return self.to_string(),
            _ if status == StatusCode::SERVICE_UNAVAILABLE => {
                "the database is unavailable; try again shortly"
            }
            _ if status.is_server_error() => "internal error",
            _ => return self.to_string(),
        };
        message.to_owned()
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind().0
    }

    fn error_response(&self) -> HttpResponse {
        let (status, code) = self.kind();
        if status.is_server_error() {
            tracing::error!(error = %self, cause = ?self, "request failed");
        }
        let body = ErrorBody { error: ErrorDetail { code, message: self.message() } };
        let mut response = HttpResponse::build(status);
        match self {
            ApiError::Unauthorized(_) => response.insert_header(("WWW-Authenticate", "Bearer")),
            ApiError::RangeNotSatisfiable(size) => {
                response.insert_header(("Content-Range", format!("bytes */{size}")))
            }
            _ => &mut response,
        };
        response.json(body)
    }
}
