//! Delivery of the outbox to a webhook: each notification POSTed with its body signed
//! (`X-Orion-Signature: sha256=<hex HMAC-SHA256 of the body>`) and its `Idempotency-Key`, at
//! least once: a failure (an error, a timeout, a non-2xx answer) is retried with exponential
//! backoff (1 s, 2 s, 4 s … at most 5 minutes apart) up to `max_attempts`. A worker leases what
//! it posts, so another instance does not post it at the same time.

use std::time::Duration;

use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use merchants::Timestamp;
use sea_orm::sea_query::Expr;
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

/// Posts every notification due at `now` (up to 1,000 per round, 16 at once).
pub async fn deliver_due(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    hook: &Webhook,
    now: OffsetDateTime,
) -> Result<Delivery> {
    use alert_notification::Column as C;
    let at = Timestamp::from(now);
    let due = alert_notification::Entity::find()
        .filter(C::DeliveredAt.is_null())
        .filter(C::Attempts.lt(i32::try_from(hook.max_attempts).unwrap_or(i32::MAX)))
        .filter(C::NextAttemptAt.lte(at))
        .filter(Condition::any().add(C::LeaseUntil.is_null()).add(C::LeaseUntil.lte(at)))
        .order_by_asc(C::Id)
        .limit(1_000)
        .all(db)
        .await?;
    let outcomes: Vec<Result<Option<bool>>> = futures_util::stream::iter(due)
        .map(|row| deliver(db, client, hook, row, now))
        .buffer_unordered(16)
        .collect()
        .await;
    let mut delivery = Delivery::default();
    for outcome in outcomes {
        match outcome? {
            Some(true) => delivery.sent += 1,
            Some(false) => delivery.failed += 1,
            None => {}
        }
    }
    Ok(delivery)
}

/// Leases, posts and records one notification: `Some(true)` delivered, `Some(false)` failed,
/// `None` leased by another worker first.
async fn deliver(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    hook: &Webhook,
    row: alert_notification::Model,
    now: OffsetDateTime,
) -> Result<Option<bool>> {
    use alert_notification::Column as C;
    let lease = Timestamp::from(now + hook.timeout + Duration::from_secs(30));
    let leased = alert_notification::Entity::update_many()
        .col_expr(C::LeaseUntil, Expr::value(Some(lease)))
        .col_expr(C::Attempts, Expr::value(row.attempts + 1))
        .filter(C::Id.eq(row.id))
        .filter(C::Attempts.eq(row.attempts))
        .filter(C::DeliveredAt.is_null())
        .exec(db)
        .await?
        .rows_affected
        == 1;
    if !leased {
        return Ok(None);
    }
    let answer = client
        .post(&hook.url)
        .timeout(hook.timeout)
        .header("Content-Type", "application/json")
        .header("X-Orion-Signature", sign(&hook.secret, row.payload.as_bytes()))
        .header("Idempotency-Key", &row.idempotency_key)
        .body(row.payload.clone())
        .send()
        .await;
    let error = match answer {
        Ok(response) if response.status().is_success() => None,
        Ok(response) => Some(format!("the receiver answered {}", response.status())),
        Err(error) => Some(format!("posting failed: {error}")),
    };
    let update = alert_notification::Entity::update_many()
        .filter(C::Id.eq(row.id))
        .col_expr(C::LeaseUntil, Expr::value(Option::<Timestamp>::None));
    match error {
        None => {
            update.col_expr(C::DeliveredAt, Expr::value(Some(Timestamp::from(now)))).exec(db).await?;
            Ok(Some(true))
        }
        Some(error) => {
            tracing::warn!(key = %row.idempotency_key, attempt = row.attempts + 1, %error, "alert notification not delivered");
            update
                .col_expr(C::NextAttemptAt, Expr::value(Timestamp::from(now + backoff(row.attempts + 1))))
                .col_expr(C::LastError, Expr::value(Some(error)))
                .exec(db)
                .await?;
            Ok(Some(false))
        }
    }
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
