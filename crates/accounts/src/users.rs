//! Admin users and tokens in the database, and the verified-token cache.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};
use time::OffsetDateTime;

use crate::entity::{admin_user, api_token};
use crate::{AdminUserId, Email, IDENTIFYING_CHARS, Result, Role, hash_token, new_token};

/// `last_used_at` is updated at most this often per token.
const LAST_USED_RESOLUTION: time::Duration = time::Duration::minutes(1);
/// Above this many cached tokens the cache is emptied (it only ever holds valid tokens).
const CACHE_CAPACITY: usize = 10_000;

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
pub async fn create_admin<C>(db: &C, email: &Email, role: Role, at: OffsetDateTime) -> Result<IssuedToken>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let existing =
        admin_user::Entity::find().filter(admin_user::Column::Email.eq(email.as_str())).one(&txn).await?;
    let user = match existing {
        Some(user) if user.role == role => user,
        Some(user) => {
            let mut active: admin_user::ActiveModel = user.into();
            active.role = Set(role);
            active.update(&txn).await?
        }
        None => {
            admin_user::ActiveModel {
                email: Set(email.as_str().to_owned()),
                role: Set(role),
                created_at: Set(at.into()),
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
        token_hash: Set(hash_token(&token)),
        created_at: Set(at.into()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(IssuedToken { token, prefix, user })
}

/// Revokes the token given in full, or every live token with the given identifying prefix
/// (as printed by `create-admin`). Returns how many were revoked.
pub async fn revoke_token(
    db: &impl ConnectionTrait,
    token_or_prefix: &str,
    at: OffsetDateTime,
) -> Result<u64> {
    let target = token_or_prefix.trim();
    let matches = if target.len() > IDENTIFYING_CHARS {
        api_token::Column::TokenHash.eq(hash_token(target))
    } else {
        api_token::Column::TokenPrefix.eq(target)
    };
    let result = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(merchants::Timestamp::from(at)))
        .filter(matches)
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// The number of admin users (to tell a new operator how to get a token).
pub async fn admin_count(db: &impl ConnectionTrait) -> Result<u64> {
    Ok(admin_user::Entity::find().filter(admin_user::Column::Role.eq(Role::Admin)).count(db).await?)
}

/// What a verified token says about its bearer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// The user.
    pub user_id: AdminUserId,
    /// Its role.
    pub role: Role,
}

/// How tokens are checked (admin-api's `[auth]`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    /// Seconds a verified token is trusted without asking the database again; also the longest
    /// a revoked token keeps working on an instance that saw it. 0 checks every request.
    pub cache_seconds: u64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings { cache_seconds: 10 }
    }
}

impl AuthSettings {
    /// A verifier with this cache lifetime.
    pub fn verifier(&self) -> TokenVerifier {
        TokenVerifier::new(Duration::from_secs(self.cache_seconds))
    }
}

/// Verifies bearer tokens, trusting a verification for `ttl` (default 10 s): the database is asked
/// at most once per token per interval, which is also how long a revoked token keeps working on an
/// instance that had just verified it. Unknown tokens are never cached and always cost one
/// indexed lookup.
#[derive(Debug)]
pub struct TokenVerifier {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Verified, Instant)>>,
}

impl TokenVerifier {
    /// A verifier caching for `ttl` (zero: every request asks the database).
    pub fn new(ttl: Duration) -> TokenVerifier {
        TokenVerifier { ttl, entries: Mutex::new(HashMap::new()) }
    }

    /// Whose token is `token`? `None` when unknown or revoked. Marks it used (coarsely).
    pub async fn verify(&self, db: &impl ConnectionTrait, token: &str) -> Result<Option<Verified>> {
        let token_hash = hash_token(token);
        if let Some(verified) = self.cached(&token_hash) {
            return Ok(Some(verified));
        }
        let verified = lookup(db, &token_hash).await?;
        if let Some(verified) = verified {
            self.remember(token_hash, verified);
        }
        Ok(verified)
    }

    fn cached(&self, token_hash: &str) -> Option<Verified> {
        let entries = self.entries.lock().ok()?;
        let (verified, at) = entries.get(token_hash)?;
        (at.elapsed() < self.ttl).then_some(*verified)
    }

    fn remember(&self, token_hash: String, verified: Verified) {
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

async fn lookup(db: &impl ConnectionTrait, token_hash: &str) -> Result<Option<Verified>> {
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
    let now = OffsetDateTime::now_utc();
    if token.last_used_at.is_none_or(|at| now - at.get() > LAST_USED_RESOLUTION) {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(merchants::Timestamp::from(now)))
            .filter(api_token::Column::Id.eq(token.id))
            .exec(db)
            .await?;
    }
    Ok(Some(Verified { user_id: user.id, role: user.role }))
}
