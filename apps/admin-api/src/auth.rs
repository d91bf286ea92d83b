//! Admin API tokens: random, shown once, stored as a SHA-256 hash, revocable.
//!
//! A request proves itself with `Authorization: Bearer <token>`. Verified tokens are cached for
//! `auth.cache_seconds` (default 10 s), so the database is asked at most once per token per
//! interval; that interval is also how long a revoked token can keep working on an instance that
//! had just verified it. Unknown tokens are never cached and always cost one indexed lookup.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use chrono::Utc;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, TransactionTrait,
    sea_query::Expr,
};
use sha2::{Digest, Sha256};

use crate::entity::{admin_user, api_token};
use crate::error::ApiError;
use crate::startup::AppState;

/// Every token starts with this, so a leaked one is easy to recognise (e.g. by secret scanners).
pub const TOKEN_PREFIX: &str = "orion_";
/// Characters of a token stored in clear to identify it (`orion_` and 8 hex digits).
const IDENTIFYING_CHARS: usize = TOKEN_PREFIX.len() + 8;
/// `last_used_at` is updated at most this often per token.
const LAST_USED_RESOLUTION_SECS: i64 = 60;
/// Above this many cached tokens the cache is emptied (it only ever holds valid tokens).
const CACHE_CAPACITY: usize = 10_000;

/// A user's role. Only admins may use the admin routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Full access to the admin API.
    Admin,
    /// Can sign in but not use the admin routes (read-only staff, integrations in preparation).
    Viewer,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }

    /// Parses a stored or typed role name.
    pub fn parse(name: &str) -> Option<Role> {
        match name {
            "admin" => Some(Role::Admin),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

/// An email address as admin users are identified by: trimmed, lowercase, one `@` with text on
/// both sides, no spaces, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses `input`, saying what is wrong.
    pub fn parse(input: &str) -> Result<Email, String> {
        let email = input.trim().to_lowercase();
        let valid_parts = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@') && domain.contains('.')
        });
        if email.len() > 254 || email.chars().any(char::is_whitespace) || !valid_parts {
            return Err(format!("{input:?} is not an email address like admin@example.com"));
        }
        Ok(Email(email))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A freshly issued token: the secret (shown once) and its stored identity.
#[derive(Debug)]
pub struct IssuedToken {
    /// The bearer token. Never stored, never logged.
    pub token: String,
    /// The stored identifying prefix, for `revoke-token`.
    pub prefix: String,
    /// The user it belongs to.
    pub user: admin_user::Model,
}

/// Creates the user if missing (with `role`), then issues a new token for it. An existing user
/// keeps its role unless `role` differs, in which case the role is updated.
pub async fn create_admin<C>(db: &C, email: &Email, role: Role) -> Result<IssuedToken, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let existing =
        admin_user::Entity::find().filter(admin_user::Column::Email.eq(email.as_str())).one(&txn).await?;
    let user = match existing {
        Some(user) if user.role == role.as_str() => user,
        Some(user) => {
            let mut active: admin_user::ActiveModel = user.into();
            active.role = Set(role.as_str().to_owned());
            active.update(&txn).await?
        }
        None => {
            admin_user::ActiveModel {
                email: Set(email.as_str().to_owned()),
                role: Set(role.as_str().to_owned()),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    let token = new_token();
    let prefix = token[..IDENTIFYING_CHARS].to_owned();
    api_token::ActiveModel {
        admin_user_id: Set(user.id),
        token_prefix: Set(prefix.clone()),
        token_hash: Set(hash(&token)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    sea_orm::TransactionSession::commit(txn).await?;
    Ok(IssuedToken { token, prefix, user })
}

/// Revokes the token given in full, or every live token with the given identifying prefix
/// (as printed by `create-admin`). Returns how many were revoked.
pub async fn revoke_token(db: &impl ConnectionTrait, token_or_prefix: &str) -> Result<u64, DbErr> {
    let target = token_or_prefix.trim();
    let matches = if target.len() > IDENTIFYING_CHARS {
        api_token::Column::TokenHash.eq(hash(target))
    } else {
        api_token::Column::TokenPrefix.eq(target)
    };
    let result = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(matches)
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// The number of admin users (to tell a new operator how to get a token).
pub async fn admin_count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    admin_user::Entity::find().filter(admin_user::Column::Role.eq(Role::Admin.as_str())).count(db).await
}

/// What a verified token says about its bearer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Verified {
    user_id: i64,
    role: Option<Role>,
}

/// Verified tokens, by hash, until they expire.
#[derive(Debug)]
pub struct TokenCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Verified, Instant)>>,
}

impl TokenCache {
    /// A cache trusting a verification for `ttl` (zero: no caching).
    pub fn new(ttl: Duration) -> TokenCache {
        TokenCache { ttl, entries: Mutex::new(HashMap::new()) }
    }

    fn get(&self, token_hash: &str) -> Option<Verified> {
        let entries = self.entries.lock().ok()?;
        let (verified, at) = entries.get(token_hash)?;
        (at.elapsed() < self.ttl).then_some(*verified)
    }

    fn put(&self, token_hash: String, verified: Verified) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CACHE_CAPACITY {
                entries.clear();
            }
            entries.insert(token_hash, (verified, Instant::now()));
        }
    }
}

/// Looks a token up: `None` when unknown or revoked. Marks it used.
async fn verify(db: &impl ConnectionTrait, token_hash: &str) -> Result<Option<Verified>, DbErr> {
    tracing::debug!("checking a bearer token against the database");
    let Some(token) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(token_hash))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(user) = admin_user::Entity::find_by_id(token.admin_user_id).one(db).await? else {
        return Ok(None);
    };
    // `last_used_at` is coarse (a minute) so that verifying a busy token is a read, not a write
    // every request: a write per verification would serialise concurrent requests on the row.
    let now = Utc::now();
    if token.last_used_at.is_none_or(|at| now - at > chrono::Duration::seconds(LAST_USED_RESOLUTION_SECS)) {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
            .filter(api_token::Column::Id.eq(token.id))
            .exec(db)
            .await?;
    }
    Ok(Some(Verified { user_id: user.id, role: Role::parse(&user.role) }))
}

/// Proof that the request carries a valid admin token; take it as a handler argument.
#[derive(Debug, Clone, Copy)]
pub struct Admin {
    /// The admin user's id.
    pub user_id: i64,
}

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Admin, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req).map(hash);
        Box::pin(async move {
            let state = state.ok_or(ApiError::Unavailable("application state missing"))?;
            let token_hash = token?;
            let verified = match state.tokens.get(&token_hash) {
                Some(verified) => verified,
                None => {
                    let verified = verify(&state.db, &token_hash)
                        .await
                        .map_err(|error| {
                            tracing::error!(%error, "token check failed on the database");
                            ApiError::Unavailable("the token cannot be checked: the database is unavailable")
                        })?
                        .ok_or(ApiError::Unauthorized("the bearer token is unknown or revoked"))?;
                    state.tokens.put(token_hash, verified);
                    verified
                }
            };
            match verified.role {
                Some(Role::Admin) => Ok(Admin { user_id: verified.user_id }),
                _ => Err(ApiError::Forbidden),
            }
        })
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

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", hex(&bytes))
}

/// SHA-256 of the token, lowercase hex. Tokens carry 256 random bits, so a fast hash is enough:
/// there is nothing to brute-force that a slow password hash would protect.
fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Lowercase hex (runs on every authenticated request, so no `format!` per byte).
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_parsed_lowercase_and_nonsense_is_refused() {
        assert_eq!(Email::parse(" Ops@Example.COM ").unwrap().as_str(), "ops@example.com");
        for bad in ["", "ops", "@example.com", "ops@", "ops@localhost", "o ps@example.com", "a@b@c.com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn tokens_are_prefixed_random_and_hash_to_64_hex_digits() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == TOKEN_PREFIX.len() + 64);
        assert_eq!(hash(&a).len(), 64);
        assert_eq!(hex(&[0x00, 0x7f, 0xa5, 0xff]), "007fa5ff");
        // SHA-256("abc"), the FIPS 180-2 test vector.
        assert_eq!(hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_ne!(hash(&a), hash(&b));
    }
}
