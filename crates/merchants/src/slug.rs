use std::fmt;

/// A merchant slug: 1 to 63 characters of `a-z`, `0-9` and inner `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
#[cfg_attr(feature = "db", derive(sea_orm::DeriveValueType))]
pub struct MerchantSlug(String);

/// Why a slug was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid merchant slug {0:?}: use 1-63 characters of a-z, 0-9 and inner '-'")]
pub struct SlugError(pub String);

impl MerchantSlug {
    /// Parses a slug; uppercase is refused, not folded, so a slug is always written one way.
    pub fn parse(raw: &str) -> Result<MerchantSlug, SlugError> {
        let valid = (1..=63).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-')
            && !raw.ends_with('-');
        if valid { Ok(MerchantSlug(raw.to_owned())) } else { Err(SlugError(raw.to_owned())) }
    }

    /// The slug as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MerchantSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::MerchantSlug;

    #[test]
    fn slugs_are_lowercase_alphanumerics_with_inner_dashes() {
        for (raw, ok) in [
            ("acme", true),
            ("acme-2", true),
            ("Acme", false),
            ("-acme", false),
            ("acme-", false),
            ("", false),
            ("a b", false),
        ] {
            assert_eq!(MerchantSlug::parse(raw).is_ok(), ok, "{raw:?}");
        }
    }
}
