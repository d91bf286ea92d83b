//! The ids of this crate's tables.

merchants::define_id!(
    /// A merchant subscription's id.
    SubscriptionId
);
