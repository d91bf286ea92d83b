//! The ids of this crate's tables.

merchants::define_id!(
    /// A loyalty program's id.
    ProgramId
);
merchants::define_id!(
    /// A loyalty card's id.
    CardId
);
merchants::define_id!(
    /// A loyalty transaction's id.
    LoyaltyTransactionId
);
