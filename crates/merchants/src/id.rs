//! [`define_id!`]: the id newtype of every Orion table.

/// Declares an id newtype: a positive `i64` that cannot be mixed up with another table's id.
///
/// `merchants::define_id!(/** A store's id. */ StoreId);` gives `StoreId` with `new` (positive
/// only), `get`, `Display`, `FromStr` (for ids read from URLs and forms), transparent serde, and,
/// when the calling crate's `db` feature is on, SeaORM's `DeriveValueType`, so entity columns can
/// have the type. Every Orion crate that owns a table uses it; `merchants` holds it because every
/// such crate depends on `merchants`. Invoke it in a module without a `Result<T>` alias (SeaORM's
/// derive writes `Result<Self, DbErr>`), e.g. the crate's `ids` module.
#[macro_export]
macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "db", derive(sea_orm::DeriveValueType))]
        pub struct $name(i64);

        impl $name {
            /// The id with this raw value; `None` unless positive (no row has id 0 or below).
            pub fn new(raw: i64) -> Option<Self> {
                (raw > 0).then_some(Self(raw))
            }

            /// The raw value, as stored.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::InvalidId;

            fn from_str(text: &str) -> std::result::Result<Self, Self::Err> {
                text.trim()
                    .parse::<i64>()
                    .ok()
                    .and_then(Self::new)
                    .ok_or_else(|| $crate::InvalidId(text.chars().take(32).collect()))
            }
        }
    };
}

/// Text that is not an id (a positive integer).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an id (a positive integer)")]
pub struct InvalidId(pub String);

define_id!(
    /// A merchant's id.
    MerchantId
);
