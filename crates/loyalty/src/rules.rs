//! Pure loyalty rules: no database here.

/// How a program rewards customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramKind {
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
