//! Merchant subscriptions and the DB-backed limit checks.

use chrono::{DateTime, Duration, Months, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Set,
    SqlErr,
};

use crate::entity::{merchant_subscription, subscription_tier};
use crate::{LimitExceeded, Resource, check_limit};

/// Statuses that count as the merchant's one live subscription.
pub const LIVE_STATUSES: [&str; 3] = ["trialing", "active", "past_due"];

/// Length of the free trial.
pub const TRIAL_DAYS: i64 = 30;

/// How often a subscription is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingCycle {
    /// Every month.
    Monthly,
    /// Every year (two months free).
    Annual,
}

impl BillingCycle {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            BillingCycle::Monthly => "monthly",
            BillingCycle::Annual => "annual",
        }
    }

    fn months(self) -> u32 {
        match self {
            BillingCycle::Monthly => 1,
            BillingCycle::Annual => 12,
        }
    }
}

/// Billing errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A limit was reached.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// The merchant has no trialing, active or past-due subscription.
    #[error("merchant {0} has no live subscription")]
    NoLiveSubscription(i64),
    /// The merchant already has a live subscription.
    #[error("merchant {0} already has a live subscription")]
    AlreadySubscribed(i64),
    /// No such tier code.
    #[error("unknown subscription tier {0:?}")]
    UnknownTier(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Starts a 30-day trial of `tier_code` for the merchant; refused if one is live already.
pub async fn subscribe(
    db: &impl ConnectionTrait,
    merchant_id: i64,
    tier_code: &str,
    cycle: BillingCycle,
    now: DateTime<Utc>,
) -> Result<merchant_subscription::Model, Error> {
    tier(db, tier_code).await?;
    if live_subscription(db, merchant_id).await?.is_some() {
        return Err(Error::AlreadySubscribed(merchant_id));
    }
    let end = now.checked_add_months(Months::new(cycle.months())).unwrap_or(now);
    merchant_subscription::ActiveModel {
        merchant_id: Set(merchant_id),
        tier_code: Set(tier_code.to_owned()),
        status: Set("trialing".to_owned()),
        billing_cycle: Set(cycle.as_str().to_owned()),
        current_period_start: Set(now),
        current_period_end: Set(end),
        trial_ends_at: Set(Some(now + Duration::days(TRIAL_DAYS))),
        cancelled_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    // The partial unique index decides between two concurrent subscribes.
    .map_err(|error| match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Error::AlreadySubscribed(merchant_id),
        _ => Error::Db(error),
    })
}

/// The merchant's live subscription, if any.
pub async fn live_subscription(
    db: &impl ConnectionTrait,
    merchant_id: i64,
) -> Result<Option<merchant_subscription::Model>, DbErr> {
    merchant_subscription::Entity::find()
        .filter(merchant_subscription::Column::MerchantId.eq(merchant_id))
        .filter(merchant_subscription::Column::Status.is_in(LIVE_STATUSES))
        .one(db)
        .await
}

/// The tier (with its limits) of the merchant's live subscription; `NoLiveSubscription` without one.
pub async fn live_tier(
    db: &impl ConnectionTrait,
    merchant_id: i64,
) -> Result<subscription_tier::Model, Error> {
    let subscription =
        live_subscription(db, merchant_id).await?.ok_or(Error::NoLiveSubscription(merchant_id))?;
    tier(db, &subscription.tier_code).await
}

/// The current period `[start, end)` that contains `now`: the stored period advanced by whole
/// cycles, so monthly order counts roll over even before the renewal job has run.
pub fn current_period(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    cycle_months: u32,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let (mut start, mut end) = (start, end);
    while now >= end {
        let Some(next) = end.checked_add_months(Months::new(cycle_months)) else { break };
        (start, end) = (end, next);
    }
    (start, end)
}

/// May the merchant add one more product, order or team member now? Limits are per merchant,
/// summed over all its stores; orders count within the current period.
pub async fn check_merchant_limit(
    db: &impl ConnectionTrait,
    merchant_id: i64,
    resource: Resource,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    use stores::entity::{order, product, store, team_member};

    let subscription =
        live_subscription(db, merchant_id).await?.ok_or(Error::NoLiveSubscription(merchant_id))?;
    let tier = tier(db, &subscription.tier_code).await?;
    let merchant_stores = Query::select()
        .column(store::Column::Id)
        .from(store::Entity)
        .and_where(store::Column::MerchantId.eq(merchant_id))
        .to_owned();
    let (limit, current) = match resource {
        Resource::Products => (
            tier.max_products,
            product::Entity::find()
                .filter(product::Column::StoreId.in_subquery(merchant_stores.clone()))
                .count(db)
                .await?,
        ),
        Resource::TeamMembers => (
            tier.max_team_members,
            team_member::Entity::find()
                .filter(team_member::Column::StoreId.in_subquery(merchant_stores.clone()))
                .count(db)
                .await?,
        ),
        Resource::OrdersPerMonth => {
            let months = if subscription.billing_cycle == "annual" { 12 } else { 1 };
            // Order limits are monthly also on annual plans: count the current month-long slice.
            let (start, _) = current_period(
                subscription.current_period_start,
                subscription.current_period_end,
                months,
                now,
            );
            let (start, end) =
                current_period(start, start.checked_add_months(Months::new(1)).unwrap_or(start), 1, now);
            let count = order::Entity::find()
                .filter(order::Column::StoreId.in_subquery(merchant_stores.clone()))
                .filter(order::Column::CreatedAt.gte(start))
                .filter(order::Column::CreatedAt.lt(end))
                .count(db)
                .await?;
            (tier.max_orders_per_month, count)
        }
        Resource::ImagesPerProduct => return Ok(()), // per product: see `check_limit` with the product's count
    };
    check_limit(resource, limit, i64::try_from(current).unwrap_or(i64::MAX))?;
    Ok(())
}

async fn tier(db: &impl ConnectionTrait, code: &str) -> Result<subscription_tier::Model, Error> {
    subscription_tier::Entity::find()
        .filter(subscription_tier::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or_else(|| Error::UnknownTier(code.to_owned()))
}

/// Subscription capacity of the whole platform at `now`: the live subscriptions' limits against
/// products, orders of the current calendar month (UTC) and team members.
pub async fn load_subscription_capacity(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<crate::SubscriptionCapacity, DbErr> {
    use stores::entity::{order, product, team_member};

    let sold = load_sold_limits(db).await?;
    let month_start = month_start(now);
    let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let usage = crate::Usage {
        products: as_i64(product::Entity::find().count(db).await?),
        orders_monthly: as_i64(
            order::Entity::find().filter(order::Column::CreatedAt.gte(month_start)).count(db).await?,
        ),
        team_members: as_i64(team_member::Entity::find().count(db).await?),
    };
    Ok(crate::subscription_capacity(&sold, usage))
}

/// The limits of every live subscription, one entry per subscription: what the platform has sold.
/// Reads the tier catalogue and the live subscriptions (one row per merchant at most).
pub async fn load_sold_limits(db: &impl ConnectionTrait) -> Result<Vec<crate::SoldLimits>, DbErr> {
    let tiers = subscription_tier::Entity::find().all(db).await?;
    let live = merchant_subscription::Entity::find()
        .filter(merchant_subscription::Column::Status.is_in(LIVE_STATUSES))
        .all(db)
        .await?;
    Ok(live
        .iter()
        .filter_map(|s| tiers.iter().find(|t| t.code == s.tier_code))
        .map(|t| crate::SoldLimits {
            tier_code: t.code.clone(),
            max_products: t.max_products,
            max_orders_per_month: t.max_orders_per_month,
            max_team_members: t.max_team_members,
        })
        .collect())
}

/// 00:00 UTC on the first day of `now`'s calendar month: where "orders this month" start.
pub fn month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::Datelike;
    now.date_naive().with_day(1).and_then(|day| day.and_hms_opt(0, 0, 0)).map_or(now, |start| start.and_utc())
}
