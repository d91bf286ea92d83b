//! The id of this crate's main table.

/// An uploaded image's id (images stands alone, so it does not use `merchants::define_id!`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "db", derive(sea_orm::DeriveValueType))]
pub struct ImageId(i64);

impl ImageId {
    /// The id with this raw value; `None` unless positive.
    pub fn new(raw: i64) -> Option<ImageId> {
        (raw > 0).then_some(ImageId(raw))
    }

    /// The raw value.
    pub const fn get(self) -> i64 {
        self.0
    }
}

/// Text that is not an image id (a positive integer).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an image id (a positive integer)")]
pub struct InvalidImageId(pub String);

impl std::str::FromStr for ImageId {
    type Err = InvalidImageId;

    fn from_str(text: &str) -> Result<ImageId, InvalidImageId> {
        text.trim()
            .parse::<i64>()
            .ok()
            .and_then(ImageId::new)
            .ok_or_else(|| InvalidImageId(text.chars().take(32).collect()))
    }
}

impl std::fmt::Display for ImageId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}
