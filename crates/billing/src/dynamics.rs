//! Merchant dynamics (seed 002's new clients, seed 003's churn) over subscription lifespans, pure.

use merchants::MerchantId;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::{TierCode, month_start};

/// One subscription's life: when it started and, once it stopped being live (cancelled at period
/// end, or an expired trial), when it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionSpan {
    /// The merchant.
    pub merchant_id: MerchantId,
    /// Its tier.
    pub tier: TierCode,
    /// When it started (the trial's first day).
    pub started_at: OffsetDateTime,
    /// When it was first paid for; `None` while (or if it ended) in the trial.
    pub activated_at: Option<OffsetDateTime>,
    /// When it ended; `None` while live.
    pub ended_at: Option<OffsetDateTime>,
}

impl SubscriptionSpan {
    /// Was it live at `at`?
    pub fn live_at(&self, at: OffsetDateTime) -> bool {
        self.started_at <= at && self.ended_at.is_none_or(|end| end > at)
    }

    /// Was it live and still in its trial at `at`?
    pub fn trialing_at(&self, at: OffsetDateTime) -> bool {
        self.live_at(at) && self.activated_at.is_none_or(|paid| paid > at)
    }

    /// Was it live and paid for at `at`?
    pub fn paying_at(&self, at: OffsetDateTime) -> bool {
        self.live_at(at) && !self.trialing_at(at)
    }
}

/// How the merchant base moves (`merchant_dynamics` of `GET /subscription-capacity`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct MerchantDynamics {
    /// Merchants whose first subscription started this calendar month (UTC).
    pub new_this_month: u64,
    /// Merchants whose subscription ended this calendar month and who have none live now.
    pub churned_this_month: u64,
    /// Merchants churned in the last 30 days, % of those live 30 days ago (one decimal).
    pub churn_rate_percent_30d: f64,
    /// Change of live merchants over the last 30 days, % of those live 30 days ago (one decimal).
    pub net_growth_percent_30d: f64,
    /// Merchants whose first subscription started in the last 30 days, % of those live 30 days
    /// ago (one decimal): the measured monthly growth, before churn.
    pub new_percent_30d: f64,
}

/// The dynamics at `at` of the subscriptions `spans` (any order, any number per merchant).
pub fn merchant_dynamics(spans: &[SubscriptionSpan], at: OffsetDateTime) -> MerchantDynamics {
    use std::collections::{BTreeMap, BTreeSet};
    let month = month_start(at);
    let month_ago = at - Duration::days(30);
    let mut first_start: BTreeMap<MerchantId, OffsetDateTime> = BTreeMap::new();
    for span in spans {
        let first = first_start.entry(span.merchant_id).or_insert(span.started_at);
        *first = (*first).min(span.started_at);
    }
    let live = |when: OffsetDateTime| -> BTreeSet<MerchantId> {
        spans.iter().filter(|s| s.live_at(when)).map(|s| s.merchant_id).collect()
    };
    let (live_now, live_before) = (live(at), live(month_ago));
    // A merchant churned in a window when a subscription of theirs ended in it and none is live now.
    let churned_since = |from: OffsetDateTime| -> u64 {
        let ended: BTreeSet<MerchantId> = spans
            .iter()
            .filter(|s| s.ended_at.is_some_and(|end| end > from && end <= at))
            .map(|s| s.merchant_id)
            .filter(|m| !live_now.contains(m))
            .collect();
        ended.len() as u64
    };
    let new_since = |from: OffsetDateTime| {
        first_start.values().filter(|start| **start >= from && **start <= at).count() as u64
    };
    let base = live_before.len() as f64;
    let percent = |part: f64| if base > 0.0 { (part / base * 1000.0).round() / 10.0 } else { 0.0 };
    MerchantDynamics {
        new_this_month: new_since(month),
        churned_this_month: churned_since(month - Duration::nanoseconds(1)),
        churn_rate_percent_30d: percent(churned_since(month_ago) as f64),
        net_growth_percent_30d: percent(live_now.len() as f64 - base),
        new_percent_30d: percent(new_since(month_ago) as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn span(merchant: i64, started: OffsetDateTime, ended: Option<OffsetDateTime>) -> SubscriptionSpan {
        SubscriptionSpan {
            merchant_id: MerchantId::new(merchant).unwrap(),
            tier: TierCode::Essential,
            started_at: started,
            activated_at: None,
            ended_at: ended,
        }
    }

    #[test]
    fn new_churned_and_the_30_day_rates_follow_the_spans() {
        let at = datetime!(2026-11-20 12:00 UTC);
        let old = datetime!(2026-01-01 0:00 UTC);
        let spans = [
            span(1, old, None),                                 // steady
            span(2, old, Some(datetime!(2026-11-05 0:00 UTC))), // churned this month
            span(3, old, Some(datetime!(2026-10-25 0:00 UTC))), // churned in 30 days, last month
            span(4, datetime!(2026-11-02 0:00 UTC), None),      // new this month
            span(5, old, Some(datetime!(2026-11-10 0:00 UTC))), // changed plan: not churned
            span(5, datetime!(2026-11-10 0:00 UTC), None),
        ];
        let d = merchant_dynamics(&spans, at);
        assert_eq!((d.new_this_month, d.churned_this_month), (1, 1));
        // Live 30 days ago (Oct 21): 1, 2, 3, 5 = 4; churned since: 2 and 3 → 50 %.
        assert_eq!(d.churn_rate_percent_30d, 50.0);
        // Live now: 1, 4, 5 = 3 against 4 → −25 %; new: merchant 4 → 25 %.
        assert_eq!(d.net_growth_percent_30d, -25.0);
        assert_eq!(d.new_percent_30d, 25.0);
        assert_eq!(merchant_dynamics(&[], at), MerchantDynamics::default());
    }

    #[test]
    fn a_span_is_trialing_until_paid_and_live_until_it_ends() {
        let paid = datetime!(2026-11-10 0:00 UTC);
        let span = SubscriptionSpan {
            activated_at: Some(paid),
            ..span(1, datetime!(2026-11-01 0:00 UTC), Some(datetime!(2026-12-01 0:00 UTC)))
        };
        assert!(!span.live_at(datetime!(2026-10-31 23:59 UTC)));
        assert!(span.trialing_at(datetime!(2026-11-09 23:59 UTC)));
        assert!(span.paying_at(paid) && !span.trialing_at(paid));
        assert!(
            !span.live_at(datetime!(2026-12-01 0:00 UTC)) && !span.paying_at(datetime!(2026-12-01 0:00 UTC))
        );
    }
}
