//! Alerts in the database: the evaluation cycle, acknowledgements, silences, listings.
//!
//! Every transition is a conditional write (`… WHERE id = ? AND state = 'pending'`), and at most
//! one alert per rule is open (a unique index on the open ones), so with several instances
//! evaluating on one database each transition happens once. Its notification goes into the outbox
//! in the same transaction, guarded by the alert's `notified` column and the notification's
//! unique idempotency key; a silenced alert's notification waits until the silence ends.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};

use merchants::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, SqlErr, TransactionTrait,
};
use serde::Serialize;
use time::OffsetDateTime;

use crate::entity::{alert_instance, alert_notification, alert_silence};
use crate::eval::{Open, Step, step};
use crate::payload::{AlertStatus, Notice, alertmanager_body, annotations, labels};
use crate::rule::Rule;
use crate::{Error, Result};

/// The metrics' current values by name (`cpu_percent`, `days_until_products_total_critical`, …);
/// a metric not measured is absent.
pub type Values = BTreeMap<String, f64>;

/// A rule with its current value and state (`GET /alert-rules`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleStatus {
    /// The rule.
    #[serde(flatten)]
    pub rule: Rule,
    /// Its metric's value at the last evaluation (`None`: not measured).
    pub value: Option<f64>,
    /// Its open alert's state (`None`: inactive).
    pub state: Option<AlertStatus>,
    /// Since when it is pending or firing (RFC 3339).
    pub since: Option<String>,
}

/// What one evaluation cycle did.
#[derive(Debug, Clone, PartialEq)]
pub struct Cycle {
    /// Every rule, with its value and state after the cycle.
    pub statuses: Vec<RuleStatus>,
    /// Transitions this instance made (others may have made the rest).
    pub transitions: usize,
    /// Notifications this instance queued.
    pub queued: usize,
}

/// The last cycle's rule statuses, shared with the request handlers.
#[derive(Debug, Clone)]
pub struct Board(Arc<RwLock<Arc<Vec<RuleStatus>>>>);

impl Board {
    /// A board showing `rules` unmeasured and inactive, until the first cycle publishes.
    pub fn new(rules: &[Rule]) -> Board {
        let unmeasured = rules
            .iter()
            .map(|rule| RuleStatus { rule: rule.clone(), value: None, state: None, since: None })
            .collect();
        Board(Arc::new(RwLock::new(Arc::new(unmeasured))))
    }

    /// Publishes a cycle's statuses.
    pub fn publish(&self, statuses: Vec<RuleStatus>) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(statuses);
    }

    /// The last published statuses.
    pub fn statuses(&self) -> Arc<Vec<RuleStatus>> {
        self.0.read().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// Runs one evaluation cycle at `now`: each rule's step against its open alert, the
/// notifications due (queued in the outbox), and open alerts of rules no longer configured
/// resolved. `url` is the page named in the notifications.
pub async fn evaluate(
    db: &DatabaseConnection,
    rules: &[Rule],
    values: &Values,
    now: OffsetDateTime,
    url: &str,
) -> Result<Cycle> {
    let open = open_alerts(db).await?;
    let silences = active_silences(db, now).await?;
    let cx = Cx { db, now, url, silences: &silences };
    let mut transitions = 0;
    let mut queued = 0;
    // Firing alerts whose condition still holds: their value and time move on, all in one
    // transaction (one commit per cycle, not one per rule).
    let mut holding = Vec::new();
    for rule in rules {
        let row = open.iter().find(|r| r.rule == rule.name);
        let value = values.get(&rule.metric).copied();
        match (step(rule, row.map(open_of), value, now), row) {
            (Step::Hold, Some(row)) => holding.push((row.id, value.unwrap_or(f64::NAN))),
            (step, row) => {
                let (moved, sent) = apply(&cx, rule, row, step, value).await?;
                transitions += usize::from(moved);
                queued += usize::from(sent);
            }
        }
    }
    if !holding.is_empty() {
        use alert_instance::Column as C;
        let txn = db.begin().await?;
        for (id, value) in holding {
            alert_instance::Entity::update_many()
                .col_expr(C::LastTrueAt, Expr::value(Timestamp::from(now)))
                .col_expr(C::LastValue, Expr::value(value))
                .filter(C::Id.eq(id))
                .filter(C::State.eq(AlertStatus::Firing))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
    }
    // Rules no longer configured: their pending alerts are forgotten, their firing ones resolved.
    for row in open.iter().filter(|r| !rules.iter().any(|rule| rule.name == r.rule)) {
        let (moved, sent) = match row.state {
            AlertStatus::Pending => (cancel(db, row).await?, false),
            _ => resolve(&cx, row).await?,
        };
        transitions += usize::from(moved);
        queued += usize::from(sent);
    }
    queued += catch_up(db, now, url, &silences).await?;
    let open = open_alerts(db).await?;
    let statuses = rules
        .iter()
        .map(|rule| {
            let row = open.iter().find(|r| r.rule == rule.name);
            RuleStatus {
                rule: rule.clone(),
                value: values.get(&rule.metric).copied(),
                state: row.map(|r| r.state),
                // Firing since it fired, pending since it started.
                since: row.map(|r| health::rfc3339(r.fired_at.unwrap_or(r.started_at).get())),
            }
        })
        .collect();
    Ok(Cycle { statuses, transitions, queued })
}

async fn open_alerts(db: &impl ConnectionTrait) -> Result<Vec<alert_instance::Model>> {
    Ok(alert_instance::Entity::find()
        .filter(alert_instance::Column::State.ne(AlertStatus::Resolved))
        .all(db)
        .await?)
}

async fn active_silences(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
) -> Result<Vec<alert_silence::Model>> {
    Ok(alert_silence::Entity::find()
        .filter(alert_silence::Column::StartsAt.lte(Timestamp::from(now)))
        .filter(alert_silence::Column::EndsAt.gt(Timestamp::from(now)))
        .all(db)
        .await?)
}

fn silenced(row: &alert_instance::Model, silences: &[alert_silence::Model]) -> bool {
    silences.iter().any(|s| {
        s.rule.as_ref().is_none_or(|rule| *rule == row.rule)
            && s.labels
                .as_object()
                .is_none_or(|wanted| wanted.iter().all(|(k, v)| row.labels.get(k) == Some(v)))
    })
}

/// One cycle's context.
#[derive(Clone, Copy)]
struct Cx<'a> {
    db: &'a DatabaseConnection,
    now: OffsetDateTime,
    url: &'a str,
    silences: &'a [alert_silence::Model],
}

/// What the evaluator needs of an open alert.
fn open_of(row: &alert_instance::Model) -> Open {
    match row.state {
        AlertStatus::Pending => Open::Pending { since: row.started_at.get() },
        _ => Open::Firing { last_true: row.last_true_at.get() },
    }
}

/// Applies `rule`'s step; returns (whether this instance made a transition, whether it queued a
/// notification).
async fn apply(
    cx: &Cx<'_>,
    rule: &Rule,
    row: Option<&alert_instance::Model>,
    step: Step,
    value: Option<f64>,
) -> Result<(bool, bool)> {
    use alert_instance::Column as C;
    let Cx { db, now, url, silences } = *cx;
    let at = Timestamp::from(now);
    let v = value.unwrap_or(f64::NAN);
    match (step, row) {
        (Step::Nothing, _) => Ok((false, false)),
        (Step::Open { firing }, _) => {
            let txn = db.begin().await?;
            let new = alert_instance::ActiveModel {
                created_at: Set(at),
                rule: Set(rule.name.clone()),
                severity: Set(rule.severity),
                state: Set(if firing { AlertStatus::Firing } else { AlertStatus::Pending }),
                value: Set(v),
                last_value: Set(v),
                labels: Set(serde_json::to_value(labels(rule)).unwrap_or_default()),
                annotations: Set(serde_json::to_value(annotations(rule, v)).unwrap_or_default()),
                started_at: Set(at),
                fired_at: Set(firing.then_some(at)),
                last_true_at: Set(at),
                ..Default::default()
            };
            let row = match new.insert(&txn).await {
                Ok(row) => row,
                // Another instance opened it first.
                Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    return Ok((false, false));
                }
                Err(e) => return Err(e.into()),
            };
            let sent = firing && !silenced(&row, silences) && queue(&txn, &row, now, url).await?;
            txn.commit().await?;
            Ok((true, sent))
        }
        (Step::Fire, Some(row)) => {
            let txn = db.begin().await?;
            let moved = alert_instance::Entity::update_many()
                .col_expr(C::State, Expr::value(AlertStatus::Firing))
                .col_expr(C::FiredAt, Expr::value(Some(at)))
                .col_expr(C::LastTrueAt, Expr::value(at))
                .col_expr(C::LastValue, Expr::value(v))
                .filter(C::Id.eq(row.id))
                .filter(C::State.eq(AlertStatus::Pending))
                .exec(&txn)
                .await?
                .rows_affected
                == 1;
            let row = alert_instance::Model { state: AlertStatus::Firing, fired_at: Some(at), ..row.clone() };
            let sent = moved && !silenced(&row, silences) && queue(&txn, &row, now, url).await?;
            txn.commit().await?;
            Ok((moved, sent))
        }
        (Step::Cancel, Some(row)) => Ok((cancel(db, row).await?, false)),
        // Batched by `evaluate`.
        (Step::Hold, Some(_)) => Ok((false, false)),
        (Step::Resolve, Some(row)) => resolve(cx, row).await,
        // A step on an open alert without its row cannot happen (`open` comes from `row`).
        (Step::Fire | Step::Cancel | Step::Hold | Step::Resolve, None) => Ok((false, false)),
    }
}

/// Forgets a pending alert (nothing was sent for it); whether this instance did.
async fn cancel(db: &DatabaseConnection, row: &alert_instance::Model) -> Result<bool> {
    use alert_instance::Column as C;
    let gone = alert_instance::Entity::delete_many()
        .filter(C::Id.eq(row.id))
        .filter(C::State.eq(AlertStatus::Pending))
        .exec(db)
        .await?;
    Ok(gone.rows_affected == 1)
}

/// Resolves a firing alert, queueing its resolution if its firing was sent.
async fn resolve(cx: &Cx<'_>, row: &alert_instance::Model) -> Result<(bool, bool)> {
    use alert_instance::Column as C;
    let Cx { db, now, url, silences } = *cx;
    let at = Timestamp::from(now);
    let txn = db.begin().await?;
    let moved = alert_instance::Entity::update_many()
        .col_expr(C::State, Expr::value(AlertStatus::Resolved))
        .col_expr(C::ResolvedAt, Expr::value(Some(at)))
        .filter(C::Id.eq(row.id))
        .filter(C::State.eq(AlertStatus::Firing))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    let row = alert_instance::Model { state: AlertStatus::Resolved, resolved_at: Some(at), ..row.clone() };
    // A resolution is news only to a receiver that heard of the firing.
    let due = moved && row.notified == Some(AlertStatus::Firing) && !silenced(&row, silences);
    let sent = due && queue(&txn, &row, now, url).await?;
    txn.commit().await?;
    Ok((moved, sent))
}

/// Notifications a silence held back and that are still news: firing alerts never notified as
/// firing, resolved ones whose firing was notified.
async fn catch_up(
    db: &DatabaseConnection,
    now: OffsetDateTime,
    url: &str,
    silences: &[alert_silence::Model],
) -> Result<usize> {
    use alert_instance::Column as C;
    let firing_unsent = Condition::all()
        .add(C::State.eq(AlertStatus::Firing))
        .add(Condition::any().add(C::Notified.is_null()).add(C::Notified.ne(AlertStatus::Firing)));
    let resolved_unsent =
        Condition::all().add(C::State.eq(AlertStatus::Resolved)).add(C::Notified.eq(AlertStatus::Firing));
    let due = alert_instance::Entity::find()
        .filter(Condition::any().add(firing_unsent).add(resolved_unsent))
        .all(db)
        .await?;
    let mut queued = 0;
    for row in due.iter().filter(|r| !silenced(r, silences)) {
        let txn = db.begin().await?;
        queued += usize::from(queue(&txn, row, now, url).await?);
        txn.commit().await?;
    }
    Ok(queued)
}

/// Queues the notification of `row`'s current state, unless it was queued already (by this or
/// another instance): the `notified` column moves only from what this instance read.
async fn queue(
    txn: &impl ConnectionTrait,
    row: &alert_instance::Model,
    now: OffsetDateTime,
    url: &str,
) -> Result<bool> {
    use alert_instance::Column as C;
    let was = match row.notified {
        None => C::Notified.is_null(),
        Some(status) => C::Notified.eq(status),
    };
    let claimed = alert_instance::Entity::update_many()
        .col_expr(C::Notified, Expr::value(Some(row.state)))
        .filter(C::Id.eq(row.id))
        .filter(was)
        .exec(txn)
        .await?
        .rows_affected
        == 1;
    if !claimed {
        return Ok(false);
    }
    let (labels, annotations): (BTreeMap<String, String>, BTreeMap<String, String>) = (
        serde_json::from_value(row.labels.clone()).unwrap_or_default(),
        serde_json::from_value(row.annotations.clone()).unwrap_or_default(),
    );
    let notice = Notice {
        status: row.state,
        labels: &labels,
        annotations: &annotations,
        starts_at: row.started_at.get(),
        ends_at: row.resolved_at.map(Timestamp::get),
        url,
    };
    let at = Timestamp::from(now);
    alert_notification::ActiveModel {
        created_at: Set(at),
        alert_id: Set(row.id),
        status: Set(row.state),
        idempotency_key: Set(format!("orion-alert-{}-{}", row.id, row.state.as_str())),
        payload: Set(alertmanager_body(&notice)),
        attempts: Set(0),
        next_attempt_at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(true)
}

/// Acknowledges open alert `id` for `who`; an acknowledgement does not stop notifications.
pub async fn acknowledge(
    db: &DatabaseConnection,
    id: i64,
    who: &str,
    now: OffsetDateTime,
) -> Result<alert_instance::Model> {
    let row = alert_instance::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound(id))?;
    if row.state == AlertStatus::Resolved {
        return Err(Error::Resolved(id));
    }
    let mut active: alert_instance::ActiveModel = row.into();
    active.acknowledged_by = Set(Some(who.to_owned()));
    active.acknowledged_at = Set(Some(Timestamp::from(now)));
    Ok(active.update(db).await?)
}

/// A silence to add.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSilence {
    /// The rule it silences (`None`: any rule whose labels match).
    pub rule: Option<String>,
    /// Labels an alert must carry to be silenced.
    pub labels: BTreeMap<String, String>,
    /// From (default: now).
    pub starts_at: Option<OffsetDateTime>,
    /// Until.
    pub ends_at: OffsetDateTime,
    /// Why.
    pub comment: String,
    /// Who.
    pub created_by: String,
}

/// Adds a silence; refuses one that matches nothing configured, matches everything, ends before
/// it starts or has already ended, or has no comment.
pub async fn add_silence(
    db: &DatabaseConnection,
    silence: NewSilence,
    rules: &[Rule],
    now: OffsetDateTime,
) -> Result<alert_silence::Model> {
    let invalid = |m: &str| Err(Error::InvalidSilence(m.to_owned()));
    let starts_at = silence.starts_at.unwrap_or(now);
    if silence.rule.is_none() && silence.labels.is_empty() {
        return invalid("a silence needs a rule or at least one label to match");
    }
    if let Some(rule) = &silence.rule
        && !rules.iter().any(|r| r.name == *rule)
    {
        return Err(Error::InvalidSilence(format!("no rule named {rule:?}")));
    }
    if silence.ends_at <= starts_at || silence.ends_at <= now {
        return invalid("ends_at must be after starts_at and in the future");
    }
    if silence.comment.trim().is_empty() {
        return invalid("comment must say why");
    }
    Ok(alert_silence::ActiveModel {
        created_at: Set(Timestamp::from(now)),
        rule: Set(silence.rule),
        labels: Set(serde_json::to_value(&silence.labels).unwrap_or_default()),
        starts_at: Set(Timestamp::from(starts_at)),
        ends_at: Set(Timestamp::from(silence.ends_at)),
        comment: Set(silence.comment),
        created_by: Set(silence.created_by),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Which alerts to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertFilter {
    /// Only this state.
    pub state: Option<AlertStatus>,
    /// Only this rule.
    pub rule: Option<String>,
    /// At most this many resolved ones (newest first).
    pub recent: u64,
}

/// Open alerts (pending and firing, most severe and oldest first) and recently resolved ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Alerts {
    /// Pending and firing.
    pub active: Vec<alert_instance::Model>,
    /// Resolved, newest first.
    pub recent: Vec<alert_instance::Model>,
}

/// The alerts `filter` asks for.
pub async fn list(db: &DatabaseConnection, filter: &AlertFilter) -> Result<Alerts> {
    use alert_instance::Column as C;
    let mut by = Condition::all();
    if let Some(rule) = &filter.rule {
        by = by.add(C::Rule.eq(rule.clone()));
    }
    let wants = |state: AlertStatus| filter.state.is_none_or(|s| s == state);
    let mut active = if wants(AlertStatus::Pending) || wants(AlertStatus::Firing) {
        let states: Vec<AlertStatus> =
            [AlertStatus::Firing, AlertStatus::Pending].into_iter().filter(|s| wants(*s)).collect();
        alert_instance::Entity::find()
            .filter(by.clone())
            .filter(C::State.is_in(states))
            .order_by_asc(C::StartedAt)
            .all(db)
            .await?
    } else {
        Vec::new()
    };
    active
        .sort_by_key(|r| (std::cmp::Reverse(r.state == AlertStatus::Firing), std::cmp::Reverse(r.severity)));
    let recent = if wants(AlertStatus::Resolved) && filter.recent > 0 {
        alert_instance::Entity::find()
            .filter(by)
            .filter(C::State.eq(AlertStatus::Resolved))
            .order_by_desc(C::ResolvedAt)
            .limit(filter.recent)
            .all(db)
            .await?
    } else {
        Vec::new()
    };
    Ok(Alerts { active, recent })
}

/// Evaluates `rules` every `every` (the first time after one `every`) with the values `measure`
/// returns, publishing each cycle's statuses on `board` (a failed cycle is logged; the next tick
/// tries again).
pub fn spawn_evaluator<F, Fut>(
    db: DatabaseConnection,
    rules: Arc<Vec<Rule>>,
    board: Board,
    every: std::time::Duration,
    url: String,
    measure: F,
) where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Values> + Send,
{
    tokio::spawn(async move {
        // The first evaluation after one interval: the request figures need a while to mean much.
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let values = measure().await;
            match evaluate(&db, &rules, &values, OffsetDateTime::now_utc(), &url).await {
                Ok(cycle) => {
                    if cycle.transitions > 0 {
                        tracing::info!(
                            transitions = cycle.transitions,
                            queued = cycle.queued,
                            "alerts evaluated"
                        );
                    }
                    board.publish(cycle.statuses);
                }
                Err(error) => tracing::warn!(%error, "alert evaluation failed; retrying at the next tick"),
            }
        }
    });
}
