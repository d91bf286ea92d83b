//! Delivery of the outbox to a webhook: each notification POSTed with its body signed
//! (`X-Orion-Signature: sha256=<hex HMAC-SHA256 of the body>`) and its `Idempotency-Key`, at
//! least once: a failure (an error, a timeout, a non-2xx answer) is retried with exponential
//! backoff (1 s, 2 s, 4 s … at most 5 minutes apart) up to `max_attempts`. A round leases what it
//! posts, so another instance does not post it at the same time.

use std::time::Duration;

use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use merchants::Timestamp;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use sha2::Sha256;
use time::OffsetDateTime;

use crate::Result;
use crate::entity::alert_notification;

/// Where notifications go (`[alerts.webhook]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// The receiver (http://…).
    pub url: String,
    /// The HMAC key of `X-Orion-Signature`.
    pub secret: String,
    /// How long one POST may take.
    pub timeout: Duration,
    /// Attempts before a notification is given up (kept, with its last error).
    pub max_attempts: u32,
}

/// What one delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Delivered (2xx).
    pub sent: usize,
    /// Failed this time (retried later unless out of attempts).
    pub failed: usize,
}

/// `sha256=<hex HMAC-SHA256 of body with secret>`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new(); // HMAC takes keys of any length; this branch does not happen.
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The wait before attempt `attempt + 1` after `attempt` failed: 1 s, 2 s, 4 s … at most 300 s.
fn backoff(attempt: i32) -> time::Duration {
    time::Duration::seconds(1_i64 << attempt.clamp(1, 10).saturating_sub(1)).min(time::Duration::seconds(300))
}

/// Posts every notification due at `now` (up to 1,000 per round, 16 at once). The round leases
/// its batch in one statement and records the delivered ones in one more, so a round costs a
/// handful of database writes however many it posts.
pub async fn deliver_due(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    hook: &Webhook,
    now: OffsetDateTime,
) -> Result<Delivery> {
    use alert_notification::Column as C;
    let at = Timestamp::from(now);
    let max_attempts = i32::try_from(hook.max_attempts).unwrap_or(i32::MAX);
    let due = || {
        Condition::all()
            .add(C::DeliveredAt.is_null())
            .add(C::Attempts.lt(max_attempts))
            .add(C::NextAttemptAt.lte(at))
            .add(Condition::any().add(C::LeaseUntil.is_null()).add(C::LeaseUntil.lte(at)))
    };
    let ids: Vec<i64> = alert_notification::Entity::find()
        .select_only()
        .column(C::Id)
        .filter(due())
        .order_by_asc(C::Id)
        .limit(1_000)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(Delivery::default());
    }
    // Lease them; another instance's round may lease some first (its conditions fail here then).
    let owner = round_id(now);
    let lease = Timestamp::from(now + hook.timeout + Duration::from_secs(30));
    alert_notification::Entity::update_many()
        .col_expr(C::LeaseUntil, Expr::value(Some(lease)))
        .col_expr(C::LeaseOwner, Expr::value(Some(owner.clone())))
        .col_expr(C::Attempts, Expr::col(C::Attempts).add(1))
        .filter(C::Id.is_in(ids))
        .filter(due())
        .exec(db)
        .await?;
    let mine = alert_notification::Entity::find()
        .filter(C::LeaseOwner.eq(owner))
        .filter(C::DeliveredAt.is_null())
        .order_by_asc(C::Id)
        .all(db)
        .await?;
    let outcomes: Vec<(alert_notification::Model, Option<String>)> = futures_util::stream::iter(mine)
        .map(|row| async move {
            let error = post(client, hook, &row).await;
            (row, error)
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let delivered: Vec<i64> = outcomes.iter().filter(|(_, e)| e.is_none()).map(|(row, _)| row.id).collect();
    let mut delivery = Delivery { sent: delivered.len(), failed: 0 };
    if !delivered.is_empty() {
        alert_notification::Entity::update_many()
            .col_expr(C::DeliveredAt, Expr::value(Some(at)))
            .col_expr(C::LeaseUntil, Expr::value(Option::<Timestamp>::None))
            .filter(C::Id.is_in(delivered))
            .exec(db)
            .await?;
    }
    for (row, error) in outcomes {
        let Some(error) = error else { continue };
        delivery.failed += 1;
        tracing::warn!(key = %row.idempotency_key, attempt = row.attempts, %error, "alert notification not delivered");
        alert_notification::Entity::update_many()
            .col_expr(C::NextAttemptAt, Expr::value(Timestamp::from(now + backoff(row.attempts))))
            .col_expr(C::LastError, Expr::value(Some(error)))
            .col_expr(C::LeaseUntil, Expr::value(Option::<Timestamp>::None))
            .filter(C::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    Ok(delivery)
}

/// Posts one notification; the error, if it was not taken (an error, a timeout, a non-2xx).
async fn post(client: &reqwest::Client, hook: &Webhook, row: &alert_notification::Model) -> Option<String> {
    let answer = client
        .post(&hook.url)
        .timeout(hook.timeout)
        .header("Content-Type", "application/json")
        .header("X-Orion-Signature", sign(&hook.secret, row.payload.as_bytes()))
        .header("Idempotency-Key", &row.idempotency_key)
        .body(row.payload.clone())
        .send()
        .await;
    match answer {
        Ok(response) if response.status().is_success() => None,
        Ok(response) => Some(format!("the receiver answered {}", response.status())),
        Err(error) => Some(format!("posting failed: {error}")),
    }
}

/// A name for one delivery round, unique enough that two instances' rounds never share one.
fn round_id(now: OffsetDateTime) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_i128(now.unix_timestamp_nanos());
    hasher.write_u32(std::process::id());
    format!("{:016x}", hasher.finish())
}

/// Delivers what is due every `every` (a failed round is logged; the next tries again).
pub fn spawn_delivery(db: DatabaseConnection, hook: Webhook, every: Duration) {
    tokio::spawn(async move {
        let client = reqwest::Client::new();
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(error) = deliver_due(&db, &client, &hook, OffsetDateTime::now_utc()).await {
                tracing::warn!(%error, "alert delivery round failed; retrying at the next tick");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        let waits: Vec<i64> = (1..=11).map(|a| backoff(a).whole_seconds()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
    }
}
