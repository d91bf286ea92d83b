//! Seed 000's `GET /recommendations`: capacity, infrastructure, growth and storage
//! recommendations, plus forecast-driven ones. The rules are listed in
//! `docs/operations/capacity-monitoring.md`; keep the two in step.

use health::Thresholds;
use serde::Serialize;
use time::Date;

use crate::fit::{DaysUntil, Interval};
use crate::trends::trend;

/// What a recommendation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Sold subscription capacity.
    Capacity,
    /// Servers and the infrastructure tier.
    Infrastructure,
    /// Growth of the platform.
    Growth,
    /// Image storage.
    Storage,
}

/// How urgent it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Monitor and plan.
    Info,
    /// Within 1–2 weeks.
    Warning,
    /// Within 24 hours.
    Critical,
}

/// One recommendation (seed 000 shape).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityRecommendation {
    /// capacity, infrastructure, growth or storage.
    pub category: Category,
    /// critical, warning or info.
    pub severity: Severity,
    /// One line.
    pub title: String,
    /// The figures behind it.
    pub description: String,
    /// What to do.
    pub action: String,
}

/// A metric's forecast against a configured level.
#[derive(Debug, Clone)]
pub struct LevelForecast<'a> {
    /// Plural display name, e.g. `Products`.
    pub label: &'a str,
    /// `critical` or `warning`.
    pub level: &'a str,
    /// The level's value.
    pub threshold: f64,
    /// The estimate, when there is one.
    pub estimate: Option<&'a DaysUntil>,
    /// Without an estimate, its open 80 % interval, when it has one (the level may be reached
    /// from `low` days on, or not at all).
    pub open_interval_80: Option<Interval>,
}

/// What the rules look at.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    /// Products / orders-this-month utilisation of the sold limits, %.
    pub products_utilization_percent: f64,
    /// Orders this month against the sold monthly limits, %.
    pub orders_utilization_percent: f64,
    /// Stores now.
    pub stores: u64,
    /// Products now.
    pub products: u64,
    /// Store growth over the last 30 days, % (None without history).
    pub store_growth_30d_percent: Option<f64>,
    /// Image storage now, GB.
    pub storage_gb: f64,
    /// Storage warning and critical levels, GB.
    pub storage_levels: (f64, f64),
    /// Forecasts of the configured levels.
    pub forecasts: Vec<LevelForecast<'a>>,
}

/// Store growth at or above this over 30 days is reported.
pub const HIGH_GROWTH_PERCENT: f64 = 10.0;

/// The platform now, as the recommendation rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PlatformNow {
    /// Products against the sold product limits, %.
    pub products_utilization_percent: f64,
    /// Orders this month against the sold monthly order limits, %.
    pub orders_utilization_percent: f64,
    /// Stores.
    pub stores: u64,
    /// Products.
    pub products: u64,
    /// Image storage, GB.
    pub storage_gb: f64,
}

#[cfg(feature = "db")]
impl PlatformNow {
    /// The platform as the background monitor last measured it (zeros before its first refresh).
    pub fn measured(db: &health::DbState) -> PlatformNow {
        let capacity = db.subscription_capacity();
        let figures = db.figures.as_deref();
        PlatformNow {
            products_utilization_percent: capacity.products.utilization_percent,
            orders_utilization_percent: capacity.orders_monthly.utilization_percent,
            stores: figures.map_or(0, |f| f.stores.value),
            products: figures.map_or(0, |f| f.products.value),
            storage_gb: health::gib(figures.map_or(0, |f| f.images.total_bytes)),
        }
    }
}

/// `GET /recommendations`: the rules over `now`, the store growth of the last 30 days of the
/// outlook's history (up to `today`), and the outlook's forecast of every metric with a
/// configured critical level.
pub fn capacity_recommendations(
    now: &PlatformNow,
    outlook: &crate::Outlook,
    thresholds: &Thresholds,
    today: Date,
) -> Vec<CapacityRecommendation> {
    let recent = outlook.last_days(today, 30);
    let store_growth_30d_percent = match (recent.first(), recent.last()) {
        (Some(first), Some(last)) if first.snapshot_date < last.snapshot_date => {
            let span = (last.snapshot_date - first.snapshot_date).whole_days();
            Some(trend(first.total_stores as f64, last.total_stores as f64, span, true).growth_rate_percent)
        }
        _ => None,
    };
    recommendations(&Inputs {
        products_utilization_percent: now.products_utilization_percent,
        orders_utilization_percent: now.orders_utilization_percent,
        stores: now.stores,
        products: now.products,
        store_growth_30d_percent,
        storage_gb: now.storage_gb,
        storage_levels: (thresholds.storage_gb.warning, thresholds.storage_gb.critical),
        forecasts: outlook
            .forecasts
            .iter()
            .map(|(metric, f)| LevelForecast {
                label: metric.label(),
                level: "critical",
                threshold: f.threshold,
                estimate: f.estimate.as_ref(),
                open_interval_80: f.open_interval_80,
            })
            .collect(),
    })
}

/// What ends the current infrastructure tier: the limit (stores or products) that is nearer in
/// proportion, as the one that will decide the upgrade.
fn upgrade_trigger(tier: &health::InfrastructureTier, stores: u64, products: u64) -> String {
    let share = |n: u64, limit: Option<u64>| limit.map(|limit| (n as f64 / limit.max(1) as f64, limit, n));
    let deciding = match (share(stores, tier.max_stores), share(products, tier.max_products)) {
        (Some(s), Some(p)) if p.0 > s.0 => Some(("products", p)),
        (Some(s), _) => Some(("stores", s)),
        (None, Some(p)) => Some(("products", p)),
        (None, None) => None,
    };
    match deciding {
        Some((what, (fraction, limit, now))) => {
            format!("Next upgrade trigger: {limit} {what} (now {now}, {:.0}%)", fraction * 100.0)
        }
        None => "Top tier: scale the cluster with demand".to_owned(),
    }
}

/// Every rule, most severe first.
pub fn recommendations(inputs: &Inputs<'_>) -> Vec<CapacityRecommendation> {
    let mut out = Vec::new();
    let mut push = |category, severity, title: String, description: String, action: &str| {
        out.push(CapacityRecommendation { category, severity, title, description, action: action.to_owned() })
    };
    for (what, utilization) in
        [("Product", inputs.products_utilization_percent), ("Order", inputs.orders_utilization_percent)]
    {
        let severity = match billing::UtilizationStatus::of(utilization) {
            billing::UtilizationStatus::Critical => Severity::Critical,
            billing::UtilizationStatus::Warning => Severity::Warning,
            billing::UtilizationStatus::Ok => continue,
        };
        push(
            Category::Capacity,
            severity,
            format!("{what} capacity approaching limit"),
            format!("Currently at {utilization:.0}% of theoretical {} capacity", what.to_lowercase()),
            "Consider upgrading store tiers or adding capacity",
        );
    }
    let tier = health::infrastructure_tier(inputs.stores, inputs.products).tier;
    push(
        Category::Infrastructure,
        Severity::Info,
        format!("Current tier: {}", tier.name),
        upgrade_trigger(&tier, inputs.stores, inputs.products),
        "Monitor growth and plan for infrastructure scaling",
    );
    if let Some(growth) = inputs.store_growth_30d_percent.filter(|g| *g >= HIGH_GROWTH_PERCENT) {
        push(
            Category::Growth,
            Severity::Info,
            "High store growth rate".to_owned(),
            format!("Store base growing at {growth:.1}% over last 30 days"),
            "Ensure infrastructure can scale to meet demand",
        );
    }
    let (warning, critical) = inputs.storage_levels;
    if inputs.storage_gb >= warning {
        let severity = if inputs.storage_gb >= critical { Severity::Critical } else { Severity::Warning };
        push(
            Category::Storage,
            severity,
            if severity == Severity::Critical { "Storage usage critical" } else { "Storage usage high" }
                .to_owned(),
            format!("Image storage at {:.0} GB", inputs.storage_gb),
            "Plan for storage expansion or implement cleanup policies",
        );
    }
    for f in &inputs.forecasts {
        // Rated on the near end of the 80 % interval: the level may come that soon. Without an
        // estimate, the near end of its open interval (the level may also never come).
        let Some(near) = crate::outlook::near_end_days(f.estimate, f.open_interval_80) else { continue };
        let severity = match near {
            d if d <= 30.0 => Severity::Critical,
            d if d <= 90.0 => Severity::Warning,
            d if d <= 180.0 => Severity::Info,
            _ => continue,
        };
        let (title, description) = match f.estimate {
            Some(estimate) => {
                let high =
                    estimate.interval_80.high.map_or("beyond 10 years".to_owned(), |h| format!("{h:.0}"));
                (
                    format!("{} forecast to reach the {} level", f.label, f.level),
                    format!(
                        "{} reach the {} {} level in ~{:.0} days (80 %: {near:.0}–{high}; rated on the near end)",
                        f.label,
                        thousands(f.threshold),
                        f.level,
                        estimate.days
                    ),
                )
            }
            None => (
                format!("{} may reach the {} level", f.label, f.level),
                format!(
                    "{}: no estimate for the {} {} level, but it may be reached from ~{near:.0} days on (80 %: from day {near:.0}, or not at all; rated on the near end)",
                    f.label,
                    thousands(f.threshold),
                    f.level
                ),
            ),
        };
        push(
            Category::Growth,
            severity,
            title,
            description,
            match (severity, f.estimate.is_some()) {
                (Severity::Critical, true) => "Scale now: the level is less than a month away",
                (Severity::Critical, false) => "Prepare to scale: the level may come within a month",
                (Severity::Warning, _) => "Plan scaling in the next 2-4 weeks",
                (Severity::Info, true) => "Review capacity planning before the date",
                (Severity::Info, false) => "Review capacity planning in the coming months",
            },
        );
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.severity));
    out
}

/// 475000 → `475,000`; 950.5 → `950.5`.
pub fn thousands(value: f64) -> String {
    let (whole, fraction) = if value.fract() == 0.0 {
        (format!("{value:.0}"), String::new())
    } else {
        let text = format!("{value}");
        match text.split_once('.') {
            Some((w, f)) => (w.to_owned(), format!(".{f}")),
            None => (text, String::new()),
        }
    };
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole.as_str()), |d| ("-", d));
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::Method;

    fn inputs() -> Inputs<'static> {
        Inputs {
            products_utilization_percent: 50.0,
            orders_utilization_percent: 10.0,
            stores: 150,
            products: 40_000,
            store_growth_30d_percent: Some(2.0),
            storage_gb: 100.0,
            storage_levels: (800.0, 950.0),
            forecasts: Vec::new(),
        }
    }

    #[test]
    fn a_quiet_platform_gets_only_its_tier() {
        let out = recommendations(&inputs());
        assert_eq!(out.len(), 1);
        assert_eq!(
            (out[0].category, out[0].title.as_str()),
            (Category::Infrastructure, "Current tier: Medium")
        );
        assert_eq!(out[0].description, "Next upgrade trigger: 300 stores (now 150, 50%)");
    }

    #[test]
    fn the_upgrade_trigger_names_the_resource_that_decides() {
        // Starter: 50 stores, 10,000 products. 20 stores are 40 %, 9,000 products 90 %.
        let out = recommendations(&Inputs { stores: 20, products: 9_000, ..inputs() });
        assert_eq!(out[0].description, "Next upgrade trigger: 10000 products (now 9000, 90%)");
        let top = recommendations(&Inputs { stores: 50_000, products: 90_000_000, ..inputs() });
        assert_eq!(top[0].description, "Top tier: scale the cluster with demand");
    }

    #[test]
    fn the_seed_examples_come_out() {
        let estimate = DaysUntil {
            days: 42.4,
            interval_80: Interval { low: 35.2, high: Some(51.0) },
            interval_95: Interval { low: 31.0, high: None },
            method: Method::Linear,
            backtest_error_percent: 1.0,
            scored_at_days: 42.0,
            calibrated_up_to_days: 60,
            points: 90,
            notes: Vec::new(),
            candidates: Vec::new(),
        };
        let busy = Inputs {
            products_utilization_percent: 85.0,
            store_growth_30d_percent: Some(15.2),
            storage_gb: 850.0,
            forecasts: vec![LevelForecast {
                label: "Products",
                level: "critical",
                threshold: 475_000.0,
                estimate: Some(&estimate),
                open_interval_80: None,
            }],
            ..inputs()
        };
        let out = recommendations(&busy);
        let find = |title: &str| {
            out.iter().find(|r| r.title == title).unwrap_or_else(|| panic!("{title}: {out:#?}"))
        };
        let capacity = find("Product capacity approaching limit");
        assert_eq!(
            (capacity.severity, capacity.description.as_str()),
            (Severity::Warning, "Currently at 85% of theoretical product capacity")
        );
        assert_eq!(
            find("High store growth rate").description,
            "Store base growing at 15.2% over last 30 days"
        );
        assert_eq!(find("Storage usage high").description, "Image storage at 850 GB");
        let forecast = find("Products forecast to reach the critical level");
        assert_eq!(forecast.severity, Severity::Warning);
        assert_eq!(
            forecast.description,
            "Products reach the 475,000 critical level in ~42 days (80 %: 35–51; rated on the near end)"
        );
        assert!(out.windows(2).all(|w| w[0].severity >= w[1].severity), "most severe first");
        // Expected in 42 days, but possibly in 25: critical.
        let soon = DaysUntil { interval_80: Interval { low: 25.0, high: Some(51.0) }, ..estimate.clone() };
        let forecasts = vec![LevelForecast { estimate: Some(&soon), ..busy.forecasts[0].clone() }];
        let out = recommendations(&Inputs { forecasts, ..inputs() });
        let rated = out.iter().find(|r| r.category == Category::Growth).unwrap();
        assert_eq!(rated.severity, Severity::Critical, "{rated:?}");
    }

    /// No estimate, but an open interval from day 12: the level may come within a month,
    /// critical, and the text says it may also never come; from day 400 on, nothing to say.
    #[test]
    fn an_open_interval_without_an_estimate_is_rated_on_its_near_end() {
        let open = |opens_in: Option<f64>| {
            let forecasts = vec![LevelForecast {
                label: "Products",
                level: "critical",
                threshold: 475_000.0,
                estimate: None,
                open_interval_80: opens_in.map(|low| Interval { low, high: None }),
            }];
            recommendations(&Inputs { forecasts, ..inputs() })
                .into_iter()
                .find(|r| r.category == Category::Growth)
        };
        let soon = open(Some(12.0)).unwrap();
        assert_eq!(
            (soon.severity, soon.title.as_str(), soon.description.as_str()),
            (
                Severity::Critical,
                "Products may reach the critical level",
                "Products: no estimate for the 475,000 critical level, but it may be reached from ~12 days on (80 %: from day 12, or not at all; rated on the near end)"
            )
        );
        assert_eq!(soon.action, "Prepare to scale: the level may come within a month");
        assert_eq!(open(Some(60.0)).unwrap().severity, Severity::Warning);
        let later = open(Some(150.0)).unwrap();
        assert_eq!(
            (later.severity, later.action.as_str()),
            (Severity::Info, "Review capacity planning in the coming months")
        );
        assert_eq!(open(Some(400.0)), None);
        assert_eq!(open(None), None);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(475_000.0), "475,000");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(thousands(950.5), "950.5");
        assert_eq!(thousands(12.0), "12");
    }
}
