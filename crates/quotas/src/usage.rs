//! Per-merchant API usage against the daily allowance its tier sells (seed 002), and the upgrade
//! it calls for. Pure: the limiter counts ([`CallerUsage`]), the service says who the merchants
//! are ([`MerchantPlan`]: `billing::live_plans`) and what the catalogue sells.

use billing::{MerchantPlan, Tier, TierCode};
use merchants::MerchantId;
use serde::Serialize;

/// What the key of a merchant's budget starts with; other services identify merchants with
/// [`merchant_caller`], so their traffic is listed by `GET /api-usage`.
pub const MERCHANT_CALLER_PREFIX: &str = "merchant:";

/// The caller key of a merchant (`merchant:7`).
pub fn merchant_caller(merchant: MerchantId) -> String {
    format!("{MERCHANT_CALLER_PREFIX}{merchant}")
}

/// The merchant a caller key names, if it names one.
pub fn merchant_of(caller: &str) -> Option<MerchantId> {
    caller.strip_prefix(MERCHANT_CALLER_PREFIX)?.parse().ok()
}

/// One caller's requests today (UTC) as the limiter counted them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerUsage {
    /// The caller key (`merchant:7`, `admin:1`, `ip:…`).
    pub caller: String,
    /// Requests let through.
    pub requests: u64,
    /// Requests refused (429).
    pub refused: u64,
}

/// One merchant's API use today against its daily allowance (an entry of `GET /api-usage`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MerchantApiUsage {
    /// The merchant.
    pub merchant_id: MerchantId,
    /// Its name (empty when the merchant is not in the database).
    pub merchant: String,
    /// Its live tier; `None` without a live subscription.
    pub tier: Option<TierCode>,
    /// Requests let through today (UTC).
    pub requests_today: u64,
    /// Requests refused with 429 today.
    pub refused_today: u64,
    /// API requests a day its tier sells; `None`: unlimited (or no live tier).
    pub daily_allowance: Option<i64>,
    /// `requests_today` as a percentage of the allowance; `None` when unlimited.
    pub percent_of_allowance: Option<f64>,
    /// The upgrade its use calls for, when it used at least [`NEAR_ALLOWANCE_PERCENT`].
    pub recommendation: Option<String>,
}

/// From this share of its daily allowance on, a merchant's use is worth an upgrade suggestion.
pub const NEAR_ALLOWANCE_PERCENT: f64 = 80.0;

/// The merchants among `usage` with their allowance, highest share of the allowance first (then
/// most requests), at most `top` of them. Callers that are not merchants are left out.
pub fn merchant_api_usage(
    usage: &[CallerUsage],
    plans: &[MerchantPlan],
    tiers: &[Tier],
    top: usize,
) -> Vec<MerchantApiUsage> {
    let allowance_of = |code: TierCode| {
        tiers.iter().find(|t| t.code == code).and_then(|t| t.limits.max_api_requests_per_day)
    };
    let mut rows: Vec<MerchantApiUsage> = usage
        .iter()
        .filter_map(|u| {
            let merchant_id = merchant_of(&u.caller)?;
            let plan = plans.iter().find(|p| p.merchant_id == merchant_id);
            let tier = plan.map(|p| p.tier);
            let daily_allowance = tier.and_then(allowance_of);
            let percent_of_allowance = daily_allowance.map(|a| 100.0 * u.requests as f64 / a.max(1) as f64);
            let merchant = plan.map(|p| p.merchant.clone()).unwrap_or_default();
            let recommendation = match (tier, daily_allowance, percent_of_allowance) {
                (Some(tier), Some(allowance), Some(percent)) if percent >= NEAR_ALLOWANCE_PERCENT => {
                    Some(upgrade(&merchant, merchant_id, tier, allowance, percent, u, tiers))
                }
                _ => None,
            };
            Some(MerchantApiUsage {
                merchant_id,
                merchant,
                tier,
                requests_today: u.requests,
                refused_today: u.refused,
                daily_allowance,
                percent_of_allowance,
                recommendation,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        let share = |r: &MerchantApiUsage| r.percent_of_allowance.unwrap_or(-1.0);
        share(b).total_cmp(&share(a)).then(b.requests_today.cmp(&a.requests_today))
    });
    rows.truncate(top);
    rows
}

/// "Merchant X used 92 % of its daily API allowance …; suggest an upgrade to Business …".
fn upgrade(
    name: &str,
    id: MerchantId,
    tier: TierCode,
    allowance: i64,
    percent: f64,
    usage: &CallerUsage,
    tiers: &[Tier],
) -> String {
    let who = if name.is_empty() { format!("merchant {id}") } else { format!("merchant {name}") };
    let refused = match usage.refused {
        0 => String::new(),
        n => format!(", {n} requests refused"),
    };
    // The next tier that sells more than today's use (or no limit at all).
    let larger = tiers.iter().filter(|t| t.code > tier).find(|t| {
        t.limits.max_api_requests_per_day.is_none_or(|a| a > allowance && a as f64 > usage.requests as f64)
    });
    let suggestion = match larger {
        Some(t) => match t.limits.max_api_requests_per_day {
            Some(a) => format!("suggest an upgrade to {} ({a} requests a day)", t.name),
            None => format!("suggest an upgrade to {} (unlimited requests)", t.name),
        },
        None => "no larger tier sells more; review its usage".to_owned(),
    };
    format!(
        "{who} used {percent:.0} % of its daily API allowance ({} of {allowance}{refused}); {suggestion}",
        usage.requests
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use billing::TierLimits;

    fn tier(code: TierCode, name: &str, per_day: Option<i64>) -> Tier {
        Tier {
            code,
            name: name.to_owned(),
            price_monthly_cents: 0,
            price_annual_cents: None,
            limits: TierLimits { max_api_requests_per_day: per_day, ..TierLimits::default() },
        }
    }

    fn catalogue() -> Vec<Tier> {
        vec![
            tier(TierCode::Essential, "Essential", Some(1_000)),
            tier(TierCode::Professional, "Professional", Some(5_000)),
            tier(TierCode::Business, "Business", Some(20_000)),
            tier(TierCode::Enterprise, "Enterprise", None),
        ]
    }

    fn used(caller: &str, requests: u64, refused: u64) -> CallerUsage {
        CallerUsage { caller: caller.to_owned(), requests, refused }
    }

    fn plan(id: &str, name: &str, tier: TierCode) -> MerchantPlan {
        MerchantPlan { merchant_id: id.parse().unwrap(), merchant: name.to_owned(), tier }
    }

    #[test]
    fn merchants_are_ranked_by_their_share_of_the_allowance_and_near_ones_get_an_upgrade() {
        let usage = [
            used("merchant:1", 4_600, 0),
            used("merchant:2", 900, 0),
            used("admin:1", 50_000, 0),
            used("merchant:3", 1_000, 12),
            used("merchant:4", 90_000, 0),
            used("ip:203.0.113.9", 7, 0),
        ];
        let plans = [
            plan("1", "Acme", TierCode::Professional),
            plan("2", "Bolt", TierCode::Business),
            plan("3", "Cedar", TierCode::Essential),
            plan("4", "Dune", TierCode::Enterprise),
        ];
        let rows = merchant_api_usage(&usage, &plans, &catalogue(), 10);
        let order: Vec<i64> = rows.iter().map(|r| r.merchant_id.get()).collect();
        assert_eq!(order, [3, 1, 2, 4], "by share; unlimited last; admin and IP callers left out");
        assert_eq!(rows[0].percent_of_allowance, Some(100.0));
        assert_eq!(
            rows[0].recommendation.as_deref(),
            Some(
                "merchant Cedar used 100 % of its daily API allowance (1000 of 1000, 12 requests refused); \
                 suggest an upgrade to Professional (5000 requests a day)"
            )
        );
        assert_eq!(
            rows[1].recommendation.as_deref(),
            Some(
                "merchant Acme used 92 % of its daily API allowance (4600 of 5000); \
                 suggest an upgrade to Business (20000 requests a day)"
            )
        );
        assert_eq!((rows[2].percent_of_allowance, rows[2].recommendation.as_deref()), (Some(4.5), None));
        assert_eq!((rows[3].daily_allowance, rows[3].recommendation.as_deref()), (None, None));
        assert_eq!(merchant_api_usage(&usage, &plans, &catalogue(), 2).len(), 2);
    }

    #[test]
    fn a_merchant_without_a_live_plan_is_listed_without_an_allowance() {
        let rows = merchant_api_usage(&[used("merchant:9", 10, 1)], &[], &catalogue(), 10);
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].tier, rows[0].daily_allowance, rows[0].refused_today), (None, None, 1));
        assert_eq!(merchant_of("merchant:x"), None);
        assert_eq!(merchant_of(&merchant_caller("42".parse().unwrap())), "42".parse().ok());
    }
}
