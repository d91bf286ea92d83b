//! Merchant subscriptions and the DB-backed checks.

use merchants::{MerchantId, Timestamp};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set, SqlErr,
};
use stores::{ProductId, StoreId};
use time::{Duration, OffsetDateTime};

use crate::entity::{merchant_subscription, subscription_tier};
use crate::{
    BillingCycle, Error, Resource, Result, SubscriptionId, SubscriptionStatus, TRIAL_DAYS, Tier, TierCode,
    add_months, check_limit, current_period,
};

/// Starts a 30-day trial of `tier` for the merchant at `at`; refused if one is live already.
pub async fn subscribe(
    db: &impl ConnectionTrait,
    merchant_id: MerchantId,
    tier: TierCode,
    cycle: BillingCycle,
    at: OffsetDateTime,
) -> Result<merchant_subscription::Model> {
    find_tier(db, tier).await?;
    if live_subscription(db, merchant_id).await?.is_some() {
        return Err(Error::AlreadySubscribed(merchant_id));
    }
    merchant_subscription::ActiveModel {
        merchant_id: Set(merchant_id),
        tier_code: Set(tier),
        status: Set(SubscriptionStatus::Trialing),
        billing_cycle: Set(cycle),
        current_period_start: Set(at.into()),
        current_period_end: Set(add_months(at, cycle.months()).unwrap_or(at).into()),
        trial_ends_at: Set(Some((at + Duration::days(TRIAL_DAYS)).into())),
        cancelled_at: Set(None),
        activated_at: Set(None),
        cancel_at_period_end: Set(false),
        ended_at: Set(None),
        created_at: Set(at.into()),
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

/// Moves a subscription from one of `from` to `to`, setting `also` in the same conditional update
/// (so two racing transitions cannot both happen), or refuses when it is not in `from`.
async fn transition(
    db: &impl ConnectionTrait,
    id: SubscriptionId,
    from: &[SubscriptionStatus],
    to: SubscriptionStatus,
    also: &[(merchant_subscription::Column, sea_orm::sea_query::SimpleExpr)],
) -> Result<merchant_subscription::Model> {
    use merchant_subscription::Column;
    let mut update = merchant_subscription::Entity::update_many().col_expr(Column::Status, Expr::value(to));
    for (column, value) in also {
        update = update.col_expr(*column, value.clone());
    }
    let updated =
        update.filter(Column::Id.eq(id)).filter(Column::Status.is_in(from.iter().copied())).exec(db).await?;
    let row = merchant_subscription::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::SubscriptionNotFound(id))?;
    if updated.rows_affected == 0 {
        return Err(Error::InvalidTransition { id, status: row.status, to });
    }
    Ok(row)
}

/// The trial (or a past-due period) is paid for at `at`: the subscription becomes active (its
/// first activation is recorded).
pub async fn activate(
    db: &impl ConnectionTrait,
    id: SubscriptionId,
    at: OffsetDateTime,
) -> Result<merchant_subscription::Model> {
    use merchant_subscription::Column;
    let first = Expr::col(Column::ActivatedAt).if_null(Timestamp::from(at));
    let from = [SubscriptionStatus::Trialing, SubscriptionStatus::PastDue];
    transition(db, id, &from, SubscriptionStatus::Active, &[(Column::ActivatedAt, first)]).await
}

/// A payment failed: the subscription stays live, past due, while it is retried.
pub async fn mark_past_due(
    db: &impl ConnectionTrait,
    id: SubscriptionId,
) -> Result<merchant_subscription::Model> {
    transition(db, id, &[SubscriptionStatus::Active], SubscriptionStatus::PastDue, &[]).await
}

/// The merchant cancels at `at`: the subscription stays live to the end of the period that
/// contains `at` (a trial: to the trial's end), then [`end_due`] ends it. Cancelling twice is
/// refused.
pub async fn cancel(
    db: &impl ConnectionTrait,
    id: SubscriptionId,
    at: OffsetDateTime,
) -> Result<merchant_subscription::Model> {
    use merchant_subscription::Column;
    let row = merchant_subscription::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::SubscriptionNotFound(id))?;
    if row.cancel_at_period_end || !row.status.is_live() {
        return Err(Error::InvalidTransition { id, status: row.status, to: SubscriptionStatus::Cancelled });
    }
    let (start, end) = current_period(
        row.current_period_start.get(),
        row.current_period_end.get(),
        row.billing_cycle.months(),
        at,
    );
    let end = match (row.status, row.trial_ends_at) {
        (SubscriptionStatus::Trialing, Some(trial_end)) => trial_end.get(),
        _ => end,
    };
    let also = [
        (Column::CancelAtPeriodEnd, Expr::value(true)),
        (Column::CancelledAt, Expr::value(Timestamp::from(at))),
        (Column::CurrentPeriodStart, Expr::value(Timestamp::from(start))),
        (Column::CurrentPeriodEnd, Expr::value(Timestamp::from(end))),
    ];
    transition(db, id, &SubscriptionStatus::LIVE, row.status, &also).await
}

/// Ends what is due at `now`: cancelled subscriptions whose period is over become `cancelled`,
/// trials that ended without a payment become `expired`, each with `ended_at` set to when it
/// ended. Safe to run on every instance at any time (conditional updates). Returns how many
/// ended.
pub async fn end_due(db: &impl ConnectionTrait, now: OffsetDateTime) -> Result<u64> {
    use merchant_subscription::Column;
    let now = Timestamp::from(now);
    let cancelled = merchant_subscription::Entity::update_many()
        .col_expr(Column::Status, Expr::value(SubscriptionStatus::Cancelled))
        .col_expr(Column::EndedAt, Expr::col(Column::CurrentPeriodEnd))
        .filter(Column::CancelAtPeriodEnd.eq(true))
        .filter(Column::Status.is_in(SubscriptionStatus::LIVE))
        .filter(Column::CurrentPeriodEnd.lte(now))
        .exec(db)
        .await?;
    let expired = merchant_subscription::Entity::update_many()
        .col_expr(Column::Status, Expr::value(SubscriptionStatus::Expired))
        .col_expr(Column::EndedAt, Expr::col(Column::TrialEndsAt))
        .filter(Column::Status.eq(SubscriptionStatus::Trialing))
        .filter(Column::TrialEndsAt.lte(now))
        .exec(db)
        .await?;
    Ok(cancelled.rows_affected + expired.rows_affected)
}

/// Spawns a task on the current tokio runtime that runs [`end_due`] now and then every `every`
/// (feature `schedule`). Every instance of a service may run it: the updates are conditional,
/// and each records when the subscription really ended, so a late run changes no figure.
#[cfg(feature = "schedule")]
pub fn spawn_subscription_ends(db: sea_orm::DatabaseConnection, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            match end_due(&db, OffsetDateTime::now_utc()).await {
                Ok(ended) => tracing::debug!(ended, "due subscriptions ended"),
                Err(error) => tracing::error!(%error, "ending due subscriptions failed"),
            }
        }
    });
}

/// Every subscription's lifespan (for the dynamics and for figures as of a past day).
pub async fn subscription_spans(db: &impl ConnectionTrait) -> Result<Vec<crate::SubscriptionSpan>> {
    let rows = merchant_subscription::Entity::find().all(db).await?;
    Ok(rows.iter().map(merchant_subscription::Model::span).collect())
}

/// The merchant's live subscription, if any.
pub async fn live_subscription(
    db: &impl ConnectionTrait,
    merchant_id: MerchantId,
) -> Result<Option<merchant_subscription::Model>> {
    Ok(merchant_subscription::Entity::find()
        .filter(merchant_subscription::Column::MerchantId.eq(merchant_id))
        .filter(merchant_subscription::Column::Status.is_in(SubscriptionStatus::LIVE))
        .one(db)
        .await?)
}

/// The live tier and name of each of `merchants` that has a live subscription (what
/// `GET /api-usage` weighs their API use against).
pub async fn live_plans(
    db: &impl ConnectionTrait,
    merchants: &[MerchantId],
) -> Result<Vec<crate::MerchantPlan>> {
    use merchants::entity::merchant;
    let live = merchant_subscription::Entity::find()
        .filter(merchant_subscription::Column::MerchantId.is_in(merchants.iter().copied()))
        .filter(merchant_subscription::Column::Status.is_in(SubscriptionStatus::LIVE))
        .all(db)
        .await?;
    let names: std::collections::HashMap<MerchantId, String> = merchant::Entity::find()
        .filter(merchant::Column::Id.is_in(live.iter().map(|s| s.merchant_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    Ok(live
        .into_iter()
        .map(|s| crate::MerchantPlan {
            merchant: names.get(&s.merchant_id).cloned().unwrap_or_default(),
            merchant_id: s.merchant_id,
            tier: s.tier_code,
        })
        .collect())
}

/// The tier (with its limits) of the merchant's live subscription; `NoLiveSubscription` without one.
pub async fn live_tier(db: &impl ConnectionTrait, merchant_id: MerchantId) -> Result<Tier> {
    let subscription =
        live_subscription(db, merchant_id).await?.ok_or(Error::NoLiveSubscription(merchant_id))?;
    find_tier(db, subscription.tier_code).await
}

/// The tier catalogue, smallest first.
pub async fn tiers(db: &impl ConnectionTrait) -> Result<Vec<Tier>> {
    Ok(subscription_tier::Entity::find()
        .order_by_asc(subscription_tier::Column::SortOrder)
        .all(db)
        .await?
        .into_iter()
        .map(Tier::from)
        .collect())
}

async fn find_tier(db: &impl ConnectionTrait, code: TierCode) -> Result<Tier> {
    subscription_tier::Entity::find()
        .filter(subscription_tier::Column::Code.eq(code))
        .one(db)
        .await?
        .map(Tier::from)
        .ok_or(Error::TierNotInCatalogue(code))
}

/// May the merchant add one more product, order or team member at `at`? Limits are per merchant,
/// summed over all its stores; orders count within the current month-long slice of the period.
pub async fn check_merchant_limit(
    db: &impl ConnectionTrait,
    merchant_id: MerchantId,
    resource: Resource,
    at: OffsetDateTime,
) -> Result<()> {
    use stores::entity::{product, store, team_member};

    let subscription =
        live_subscription(db, merchant_id).await?.ok_or(Error::NoLiveSubscription(merchant_id))?;
    let limits = find_tier(db, subscription.tier_code).await?.limits;
    let merchant_stores = Query::select()
        .column(store::Column::Id)
        .from(store::Entity)
        .and_where(store::Column::MerchantId.eq(merchant_id))
        .to_owned();
    let (limit, current) = match resource {
        Resource::Products => (
            limits.max_products,
            product::Entity::find()
                .filter(product::Column::StoreId.in_subquery(merchant_stores))
                .count(db)
                .await?,
        ),
        Resource::TeamMembers => (
            limits.max_team_members,
            team_member::Entity::find()
                .filter(team_member::Column::StoreId.in_subquery(merchant_stores))
                .count(db)
                .await?,
        ),
        Resource::OrdersPerMonth => {
            (limits.max_orders_per_month, orders_in_slice(db, &subscription, at).await?)
        }
        // Per product: see `image_allowance`; the images crate counts inside its write.
        Resource::ImagesPerProduct => return Ok(()),
    };
    check_limit(resource, limit, i64::try_from(current).unwrap_or(i64::MAX))?;
    Ok(())
}

/// May an image be uploaded for `store_id` (and `product_id`)? Checks that the store exists and
/// the product belongs to it, and returns the product's image limit from its merchant's live
/// tier (`None`: unlimited, or not a product image). `NoLiveSubscription` without a live plan.
pub async fn image_allowance(
    db: &impl ConnectionTrait,
    store_id: StoreId,
    product_id: Option<ProductId>,
) -> Result<Option<i64>> {
    let Some(product_id) = product_id else {
        stores::find_store(db, store_id).await?;
        return Ok(None);
    };
    let (store, _) = stores::product_of_store(db, store_id, product_id).await?;
    Ok(live_tier(db, store.merchant_id).await?.limits.max_images_per_product)
}

/// Orders of the merchant of `subscription` in the month-long slice of its period that contains
/// `at`, up to `at`: what the monthly order limit counts (monthly also on annual plans).
async fn orders_in_slice(
    db: &impl ConnectionTrait,
    subscription: &merchant_subscription::Model,
    at: OffsetDateTime,
) -> Result<u64> {
    use stores::entity::{order, store};
    let (start, _) = current_period(
        subscription.current_period_start.get(),
        subscription.current_period_end.get(),
        subscription.billing_cycle.months(),
        at,
    );
    let (start, _) = current_period(start, add_months(start, 1).unwrap_or(start), 1, at);
    let merchant_stores = Query::select()
        .column(store::Column::Id)
        .from(store::Entity)
        .and_where(store::Column::MerchantId.eq(subscription.merchant_id))
        .to_owned();
    Ok(order::Entity::find()
        .filter(order::Column::StoreId.in_subquery(merchant_stores))
        .filter(order::Column::CreatedAt.gte(Timestamp::from(start)))
        .filter(order::Column::CreatedAt.lte(Timestamp::from(at)))
        .count(db)
        .await?)
}

/// What every merchant with a subscription live at `at` uses at `at` (rows created by then):
/// the input of [`crate::over_limit`]. A handful of grouped queries, whatever the number of
/// merchants; the exact order count of a slice is taken only for merchants whose last 31 days
/// exceed their limit.
pub async fn merchant_usage(
    db: &impl ConnectionTrait,
    at: OffsetDateTime,
) -> Result<Vec<crate::MerchantUsage>> {
    use merchants::sql::{query_pairs, statement};
    use std::collections::HashMap;

    let subscriptions = merchant_subscription::Entity::find().all(db).await?;
    let live: Vec<&merchant_subscription::Model> =
        subscriptions.iter().filter(|s| s.span().live_at(at)).collect();
    if live.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let until = Timestamp::from(at);
    let since = Timestamp::from(at - Duration::days(31));
    // Per merchant: products, team members, images of its fullest product, orders of 31 days.
    let queries: [(&str, Vec<sea_orm::Value>); 4] = [
        (
            "SELECT s.merchant_id AS k, COUNT(*) AS n FROM product p JOIN store s ON s.id = p.store_id \
             WHERE p.created_at <= $1 GROUP BY s.merchant_id",
            vec![until.into()],
        ),
        (
            "SELECT s.merchant_id AS k, COUNT(*) AS n FROM team_member t JOIN store s ON s.id = t.store_id \
             WHERE t.created_at <= $1 GROUP BY s.merchant_id",
            vec![until.into()],
        ),
        (
            "SELECT s.merchant_id AS k, MAX(c.n) AS n FROM (SELECT store_id, product_id, COUNT(*) AS n \
             FROM image WHERE product_id IS NOT NULL AND created_at <= $1 GROUP BY store_id, product_id) c \
             JOIN store s ON s.id = c.store_id GROUP BY s.merchant_id",
            vec![at.into()],
        ),
        (
            r#"SELECT s.merchant_id AS k, COUNT(*) AS n FROM "order" o JOIN store s ON s.id = o.store_id
               WHERE o.created_at > $1 AND o.created_at <= $2 GROUP BY s.merchant_id"#,
            vec![since.into(), until.into()],
        ),
    ];
    let mut maps = Vec::with_capacity(queries.len());
    for (sql, values) in queries {
        maps.push(
            query_pairs(db, statement(backend, sql, values))
                .await?
                .into_iter()
                .collect::<HashMap<i64, u64>>(),
        );
    }
    let [products, team, images, recent_orders] = <[_; 4]>::try_from(maps).unwrap_or_default();
    let names: HashMap<MerchantId, String> = merchants::entity::merchant::Entity::find()
        .filter(merchants::entity::merchant::Column::Id.is_in(live.iter().map(|s| s.merchant_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let tiers = tiers(db).await?;
    let mut usage = Vec::with_capacity(live.len());
    for subscription in live {
        let merchant = subscription.merchant_id;
        let of = |map: &HashMap<i64, u64>| map.get(&merchant.get()).copied().unwrap_or(0);
        let order_limit = tiers
            .iter()
            .find(|t| t.code == subscription.tier_code)
            .and_then(|t| t.limits.max_orders_per_month);
        // A slice is at most 31 days: under the limit over 31 days means under it in the slice.
        let orders_in_period = match order_limit {
            Some(limit) if of(&recent_orders) > u64::try_from(limit).unwrap_or(0) => {
                orders_in_slice(db, subscription, at).await?
            }
            _ => of(&recent_orders),
        };
        usage.push(crate::MerchantUsage {
            merchant_id: merchant,
            merchant: names.get(&merchant).cloned().unwrap_or_default(),
            tier: subscription.tier_code,
            products: of(&products),
            orders_in_period,
            team_members: of(&team),
            images_per_product: of(&images),
        });
    }
    Ok(usage)
}
