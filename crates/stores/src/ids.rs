//! The ids of this crate's tables.

merchants::define_id!(
    /// A store's id.
    StoreId
);
merchants::define_id!(
    /// A product's id.
    ProductId
);
merchants::define_id!(
    /// An order's id.
    OrderId
);
merchants::define_id!(
    /// A store domain's id.
    StoreDomainId
);
