//! Admin authentication: `Authorization: Bearer <token>` of an admin, verified through
//! `accounts::TokenVerifier` (cached for `auth.cache_seconds`). The [`require_admin`] middleware
//! guards the admin scopes, so a stranger gets 401 and a viewer 403 before anything of the request
//! (query, body) is read; handlers take the [`Admin`] it found as an argument.

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::error::ApiError;
use crate::state::AppState;

/// Proof that the request carries a valid admin token; take it as a handler argument.
#[derive(Debug, Clone, Copy)]
pub struct Admin {
    /// The admin user's id.
    pub user_id: accounts::AdminUserId,
}

/// Middleware: the request goes on only with an admin token (see the module documentation).
pub async fn require_admin(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // An unknown path under a guarded scope is a 404 for everyone, as elsewhere.
    if req.match_pattern().is_some() {
        let admin = verify(req.request()).await?;
        req.extensions_mut().insert(admin);
    }
    next.call(req).await
}

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Admin, ApiError>>;

    /// The admin [`require_admin`] found; a handler outside the guarded scopes gets a 401.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let admin = req.extensions().get::<Admin>().copied();
        std::future::ready(admin.ok_or(ApiError::Unauthorized("this route is not behind the admin guard")))
    }
}

fn verify(req: &HttpRequest) -> impl std::future::Future<Output = Result<Admin, ApiError>> + 'static {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let token = bearer_token(req).map(str::to_owned);
    async move {
        let state = state.ok_or(ApiError::Unavailable("application state missing"))?;
        let verified = state
            .tokens
            .verify(&state.db, &token?)
            .await?
            .ok_or(ApiError::Unauthorized("the bearer token is unknown or revoked"))?;
        match verified.role {
            accounts::Role::Admin => Ok(Admin { user_id: verified.user_id }),
            accounts::Role::Viewer => Err(ApiError::Forbidden),
        }
    }
}

/// The token of an `Authorization: Bearer …` header.
fn bearer_token(req: &HttpRequest) -> Result<&str, ApiError> {
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or(ApiError::Unauthorized("missing `Authorization: Bearer <token>` header"))?;
    let value = header.to_str().map_err(|_| ApiError::Unauthorized("malformed Authorization header"))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(token.trim())
        }
        _ => Err(ApiError::Unauthorized("the Authorization header must be `Bearer <token>`")),
    }
}
