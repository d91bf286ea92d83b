//! The ids of this crate's tables.

merchants::define_id!(
    /// An admin user's id.
    AdminUserId
);
merchants::define_id!(
    /// An API token's id.
    ApiTokenId
);
