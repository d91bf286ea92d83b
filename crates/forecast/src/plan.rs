//! Capacity planning without history: growth scenarios (seed 003) and the sizing calculator
//! (seed 002's key formulas), each mapped to the infrastructure tier and monthly cost of the
//! scaling table (`health::INFRASTRUCTURE_TIERS`).

use crate::round;
use serde::{Deserialize, Serialize};

/// Monthly growth and churn of the store base (seed 003's growth model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Name, e.g. `moderate`.
    pub name: String,
    /// New stores per month, as a fraction of the base (0.25 = 25 %).
    pub monthly_growth: f64,
    /// Stores lost per month, as a fraction of the base.
    pub churn_rate: f64,
}

impl Scenario {
    /// Seed 003's three scenarios: conservative (10 % growth, 5 % churn), moderate (25 %, 8 %),
    /// aggressive (50 %, 10 %).
    pub fn presets() -> [Scenario; 3] {
        let s = |name: &str, monthly_growth, churn_rate| Scenario {
            name: name.to_owned(),
            monthly_growth,
            churn_rate,
        };
        [s("conservative", 0.10, 0.05), s("moderate", 0.25, 0.08), s("aggressive", 0.50, 0.10)]
    }
}

impl Scenario {
    /// The platform's own last 30 days (`measured`): merchants new in them and merchants churned
    /// in them, each as a share of the merchants live 30 days ago.
    pub fn measured(dynamics: &billing::MerchantDynamics) -> Scenario {
        Scenario {
            name: "measured".to_owned(),
            monthly_growth: dynamics.new_percent_30d / 100.0,
            churn_rate: dynamics.churn_rate_percent_30d / 100.0,
        }
    }

    /// A user-defined scenario: monthly growth within 0..=5 (e.g. 0.2 = 20 %) and churn within
    /// 0..=1 (default 0); `None` outside those ranges.
    pub fn custom(monthly_growth: f64, churn_rate: Option<f64>) -> Option<Scenario> {
        let churn_rate = churn_rate.unwrap_or(0.0);
        ((0.0..=5.0).contains(&monthly_growth) && (0.0..=1.0).contains(&churn_rate)).then(|| Scenario {
            name: "custom".to_owned(),
            monthly_growth,
            churn_rate,
        })
    }
}

/// One projected month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedMonth {
    /// Months from now (1 = next month).
    pub month: u32,
    /// Stores.
    pub stores: u64,
    /// Products (products per store held constant).
    pub products: u64,
    /// Infrastructure tier holding both.
    pub infrastructure_tier: &'static str,
    /// That tier's monthly cost, EUR.
    pub monthly_cost_eur: u64,
}

/// `stores × (1 + growth − churn)^month` for months 1..=`months`, as seed 003's
/// `projectCapacity`, with products growing in proportion.
pub fn project_scenario(stores: u64, products: u64, months: u32, scenario: &Scenario) -> Vec<PlannedMonth> {
    let factor = 1.0 + scenario.monthly_growth - scenario.churn_rate;
    let per_store = if stores == 0 { 0.0 } else { products as f64 / stores as f64 };
    let mut base = stores as f64;
    (1..=months)
        .map(|month| {
            base *= factor;
            let stores = base.round().max(0.0) as u64;
            let products = (base * per_store).round().max(0.0) as u64;
            let (infrastructure_tier, monthly_cost_eur) = tier_and_cost(stores, products);
            PlannedMonth { month, stores, products, infrastructure_tier, monthly_cost_eur }
        })
        .collect()
}

/// The infrastructure tier for these counts and its monthly cost.
pub fn tier_and_cost(stores: u64, products: u64) -> (&'static str, u64) {
    let name = health::infrastructure_tier(stores, products).name;
    let cost = health::INFRASTRUCTURE_TIERS.iter().find(|t| t.name == name).map_or(0, |t| t.monthly_cost_eur);
    (name, cost)
}

/// Typical use per subscription of each tier (seed 002's "Multi-Tier Mix" and "Tier Resource
/// Allocations"): products, monthly orders, images per product.
pub const TIER_PROFILES: [(&str, u64, u64, u64); 4] = [
    ("essential", 100, 100, 3),
    ("professional", 300, 500, 5),
    ("business", 1_000, 2_000, 8),
    ("enterprise", 3_000, 4_000, 10),
];

/// What to size: a tier mix (subscriptions per tier code) or explicit counts.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizingInput {
    /// Subscriptions per tier code (each a store), e.g. `{"essential": 500, …}`.
    #[serde(default)]
    pub tier_mix: Option<std::collections::BTreeMap<String, u64>>,
    /// Stores (explicit counts; with `tier_mix`, derived from it).
    #[serde(default)]
    pub stores: Option<u64>,
    /// Products (explicit).
    #[serde(default)]
    pub products: Option<u64>,
    /// Orders per month (explicit).
    #[serde(default)]
    pub monthly_orders: Option<u64>,
    /// Images per product (explicit; default 5).
    #[serde(default)]
    pub images_per_product: Option<f64>,
    /// Daily views per product, for bandwidth (default 10).
    #[serde(default)]
    pub daily_views_per_product: Option<f64>,
    /// Months of orders kept in the database (default 12).
    #[serde(default)]
    pub order_retention_months: Option<u32>,
}

/// Requirements, tier and cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sizing {
    /// Stores.
    pub stores: u64,
    /// Products.
    pub products: u64,
    /// Orders per month.
    pub monthly_orders: u64,
    /// Average images per product used.
    pub images_per_product: f64,
    /// Image files (3 sizes per image).
    pub image_files: u64,
    /// `products × images × 3 sizes × 200 KB / 1,000,000`.
    pub storage_gb: f64,
    /// `products × 0.00003 + stored orders × 0.00002` (stored = monthly × retention months).
    pub db_size_gb: f64,
    /// `products × daily views × 500 KB × 30 / 1,000,000,000`.
    pub bandwidth_tb_month: f64,
    /// Infrastructure tier holding stores and products.
    pub infrastructure_tier: &'static str,
    /// Its monthly cost, EUR.
    pub monthly_cost_eur: u64,
}

/// Why the input cannot be sized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizingError {
    /// Neither a tier mix nor stores and products.
    #[error("give either tier_mix or stores and products")]
    NothingToSize,
    /// An unknown tier code in the mix.
    #[error("unknown tier {0:?} in tier_mix (essential, professional, business, enterprise)")]
    UnknownTier(String),
    /// A negative or non-finite rate.
    #[error("{0} must be a finite number ≥ 0")]
    BadNumber(&'static str),
}

/// Seed 002's key formulas for `input`.
pub fn size(input: &SizingInput) -> Result<Sizing, SizingError> {
    let (stores, products, monthly_orders, image_weighted) = match &input.tier_mix {
        Some(mix) => {
            let (mut stores, mut products, mut orders, mut images) = (0, 0, 0, 0.0);
            for (code, &count) in mix {
                let &(_, p, o, i) = TIER_PROFILES
                    .iter()
                    .find(|(c, ..)| c == code)
                    .ok_or_else(|| SizingError::UnknownTier(code.clone()))?;
                stores += count;
                products += count * p;
                orders += count * o;
                images += (count * p) as f64 * i as f64;
            }
            let avg_images = if products == 0 { 0.0 } else { images / products as f64 };
            (stores, products, orders, Some(avg_images))
        }
        None => match (input.stores, input.products) {
            (Some(stores), Some(products)) => (stores, products, input.monthly_orders.unwrap_or(0), None),
            _ => return Err(SizingError::NothingToSize),
        },
    };
    let images_per_product = input.images_per_product.or(image_weighted).unwrap_or(5.0);
    let views = input.daily_views_per_product.unwrap_or(10.0);
    for (name, value) in [("images_per_product", images_per_product), ("daily_views_per_product", views)] {
        if !value.is_finite() || value < 0.0 {
            return Err(SizingError::BadNumber(name));
        }
    }
    let retention = f64::from(input.order_retention_months.unwrap_or(12));
    let p = products as f64;
    let (infrastructure_tier, monthly_cost_eur) = tier_and_cost(stores, products);
    Ok(Sizing {
        stores,
        products,
        monthly_orders,
        images_per_product: round(images_per_product, 2),
        image_files: (p * images_per_product * 3.0).round() as u64,
        storage_gb: round(p * images_per_product * 3.0 * 200.0 / 1_000_000.0, 2),
        db_size_gb: round(p * 0.000_03 + monthly_orders as f64 * retention * 0.000_02, 2),
        bandwidth_tb_month: round(p * views * 500.0 * 30.0 / 1_000_000_000.0, 3),
        infrastructure_tier,
        monthly_cost_eur,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_multi_tier_mix_reproduces() {
        let mix = [("essential", 500), ("professional", 300), ("business", 150), ("enterprise", 50)]
            .map(|(c, n)| (c.to_owned(), n))
            .into();
        let sizing = size(&SizingInput { tier_mix: Some(mix), ..SizingInput::default() }).unwrap();
        assert_eq!((sizing.stores, sizing.products, sizing.monthly_orders), (1_000, 440_000, 700_000));
        // 1,000 stores, 440,000 products: the Scale tier (≤ 1,000 stores, ≤ 500,000 products).
        assert_eq!((sizing.infrastructure_tier, sizing.monthly_cost_eur), ("Scale", 700));
        // 440,000 × 0.00003 + 700,000 × 12 × 0.00002 = 13.2 + 168 = 181.2 GB.
        assert_eq!(sizing.db_size_gb, 181.2);
    }

    #[test]
    fn explicit_counts_follow_the_key_formulas() {
        // Seed 002's 1,000-client target: 500,000 products × 5 images × 3 sizes × 200 KB = 1.5 TB.
        let sizing = size(&SizingInput {
            tier_mix: None,
            stores: Some(1_000),
            products: Some(500_000),
            monthly_orders: Some(300_000),
            images_per_product: Some(5.0),
            daily_views_per_product: Some(10.0),
            order_retention_months: Some(1),
        })
        .unwrap();
        assert_eq!(sizing.image_files, 7_500_000);
        assert_eq!(sizing.storage_gb, 1_500.0);
        assert_eq!(sizing.db_size_gb, 21.0); // 15 + 6
        assert_eq!(sizing.bandwidth_tb_month, 75.0);
        assert_eq!(sizing.infrastructure_tier, "Scale");
    }

    #[test]
    fn nonsense_is_refused() {
        let empty = SizingInput {
            tier_mix: None,
            stores: None,
            products: Some(1),
            monthly_orders: None,
            images_per_product: None,
            daily_views_per_product: None,
            order_retention_months: None,
        };
        assert_eq!(size(&empty), Err(SizingError::NothingToSize));
        let unknown = SizingInput { tier_mix: Some([("gold".to_owned(), 1)].into()), ..empty.clone() };
        assert_eq!(size(&unknown), Err(SizingError::UnknownTier("gold".to_owned())));
        let negative = SizingInput { stores: Some(1), images_per_product: Some(-1.0), ..empty };
        assert_eq!(size(&negative), Err(SizingError::BadNumber("images_per_product")));
    }

    #[test]
    fn the_moderate_scenario_grows_the_seed_way() {
        let moderate = &Scenario::presets()[1];
        let months = project_scenario(100, 10_000, 3, moderate);
        let stores: Vec<u64> = months.iter().map(|m| m.stores).collect();
        assert_eq!(stores, [117, 137, 160]); // seed 003's table
        assert_eq!(months[2].products, 16_016);
        assert_eq!((months[0].infrastructure_tier, months[0].monthly_cost_eur), ("Medium", 150));
    }
}
