//! Pure loyalty rules and types: no database here.

use serde::{Deserialize, Serialize};

/// How a program rewards customers, with its rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramRule {
    /// Points per whole euro spent.
    Points {
        /// Points for each euro.
        points_per_euro: i32,
    },
    /// One stamp per order; `stamps_required` stamps earn the reward.
    Stamps {
        /// Stamps for one reward.
        stamps_required: i32,
    },
}

/// A program's kind, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::N(16))")
)]
pub enum ProgramKind {
    /// Points per euro.
    #[cfg_attr(feature = "db", sea_orm(string_value = "points"))]
    Points,
    /// Stamps per order.
    #[cfg_attr(feature = "db", sea_orm(string_value = "stamps"))]
    Stamps,
}

/// What a loyalty transaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::N(16))")
)]
pub enum TransactionKind {
    /// Points earned by an order.
    #[cfg_attr(feature = "db", sea_orm(string_value = "earn"))]
    Earn,
    /// Points spent.
    #[cfg_attr(feature = "db", sea_orm(string_value = "redeem"))]
    Redeem,
    /// A stamp earned by an order.
    #[cfg_attr(feature = "db", sea_orm(string_value = "stamp"))]
    Stamp,
    /// Stamps exchanged for the reward.
    #[cfg_attr(feature = "db", sea_orm(string_value = "reward"))]
    Reward,
    /// A manual correction (or an imported opening balance).
    #[cfg_attr(feature = "db", sea_orm(string_value = "adjust"))]
    Adjust,
}

/// Points an order total earns: whole euros × points per euro.
pub fn points_for(total_cents: i64, points_per_euro: i32) -> i64 {
    (Ord::max(total_cents, 0) / 100).saturating_mul(i64::from(points_per_euro))
}

#[cfg(test)]
mod tests {
    use super::points_for;

    #[test]
    fn points_are_earned_on_whole_euros() {
        for (cents, rate, points) in [(0, 1, 0), (99, 10, 0), (100, 1, 1), (2_599, 2, 50), (-500, 3, 0)] {
            assert_eq!(points_for(cents, rate), points, "{cents} × {rate}");
        }
    }
}
