//! Merchant subscriptions and the DB-backed checks.

use merchants::{MerchantId, Timestamp};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set, SqlErr,
};
use stores::{ProductId, StoreId};
use time::{Duration, OffsetDateTime};

use crate::entity::{merchant_subscription, subscription_tier};
use crate::{
    BillingCycle, Error, Resource, Result, SoldLimits, SubscriptionCapacity, SubscriptionId,
    SubscriptionStatus, TRIAL_DAYS, Tier, TierCode, Usage, add_months, check_limit, current_period,
    month_start, subscription_capacity,
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

/// Moves a subscription from `from` to `to` at `at`, or refuses when it is not in `from`.
async fn transition(
    db: &impl ConnectionTrait,
    id: SubscriptionId,
    from: &[SubscriptionStatus],
    to: SubscriptionStatus,
) -> Result<merchant_subscription::Model> {
    let updated = merchant_subscription::Entity::update_many()
        .col_expr(merchant_subscription::Column::Status, sea_orm::sea_query::Expr::value(to))
        .filter(merchant_subscription::Column::Id.eq(id))
        .filter(merchant_subscription::Column::Status.is_in(from.iter().copied()))
        .exec(db)
        .await?;
    let row = merchant_subscription::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::SubscriptionNotFound(id))?;
    if updated.rows_affected == 0 {
        return Err(Error::InvalidTransition { id, status: row.status, to });
    }
    Ok(row)
}

/// The trial (or a past-due period) is paid for: the subscription becomes active.
pub async fn activate(db: &impl ConnectionTrait, id: SubscriptionId) -> Result<merchant_subscription::Model> {
    transition(
        db,
        id,
        &[SubscriptionStatus::Trialing, SubscriptionStatus::PastDue],
        SubscriptionStatus::Active,
    )
    .await
}

/// A payment failed: the subscription stays live, past due, while it is retried.
pub async fn mark_past_due(
    db: &impl ConnectionTrait,
    id: SubscriptionId,
) -> Result<merchant_subscription::Model> {
    transition(db, id, &[SubscriptionStatus::Active], SubscriptionStatus::PastDue).await
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
    use stores::entity::{order, product, store, team_member};

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
            // Order limits are monthly also on annual plans: count the current month-long slice.
            let (start, _) = current_period(
                subscription.current_period_start.get(),
                subscription.current_period_end.get(),
                subscription.billing_cycle.months(),
                at,
            );
            let (start, end) = current_period(start, add_months(start, 1).unwrap_or(start), 1, at);
            let count = order::Entity::find()
                .filter(order::Column::StoreId.in_subquery(merchant_stores))
                .filter(order::Column::CreatedAt.gte(Timestamp::from(start)))
                .filter(order::Column::CreatedAt.lt(Timestamp::from(end)))
                .count(db)
                .await?;
            (limits.max_orders_per_month, count)
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

/// Subscription capacity of the whole platform at `at`: the live subscriptions' limits against
/// products, orders of the current calendar month (UTC) and team members.
pub async fn load_subscription_capacity(
    db: &impl ConnectionTrait,
    at: OffsetDateTime,
) -> Result<SubscriptionCapacity> {
    use stores::entity::{order, product, team_member};

    let sold = load_sold_limits(db).await?;
    let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let usage = Usage {
        products: as_i64(product::Entity::find().count(db).await?),
        orders_monthly: as_i64(
            order::Entity::find()
                .filter(order::Column::CreatedAt.gte(Timestamp::from(month_start(at))))
                .count(db)
                .await?,
        ),
        team_members: as_i64(team_member::Entity::find().count(db).await?),
    };
    Ok(subscription_capacity(&sold, usage))
}

/// The limits of every live subscription, one entry per subscription: what the platform has sold.
pub async fn load_sold_limits(db: &impl ConnectionTrait) -> Result<Vec<SoldLimits>> {
    let tiers = tiers(db).await?;
    let live = merchant_subscription::Entity::find()
        .filter(merchant_subscription::Column::Status.is_in(SubscriptionStatus::LIVE))
        .all(db)
        .await?;
    Ok(live
        .iter()
        .filter_map(|s| tiers.iter().find(|t| t.code == s.tier_code))
        .map(|t| SoldLimits { tier: t.code, limits: t.limits })
        .collect())
}
