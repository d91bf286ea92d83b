use std::fmt;

/// A store domain: a valid, lowercase, fully qualified hostname such as `shop.example.com`.
///
/// Uppercase is refused rather than folded, so the same domain is never stored two ways and
/// the unique index on `store_domain.domain` means what it says.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
#[cfg_attr(feature = "db", derive(sea_orm::DeriveValueType))]
pub struct DomainName(String);

/// Why a domain name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainNameError {
    /// Contains uppercase letters; the lowercase form is suggested.
    #[error("domain {given:?} must be lowercase (did you mean {suggestion:?}?)")]
    NotLowercase {
        /// The domain as given.
        given: String,
        /// The same domain in lowercase.
        suggestion: String,
    },
    /// Not a hostname of at least two labels of `a-z`, `0-9` and inner `-`.
    #[error(
        "domain {0:?} is not a valid hostname: use labels of a-z, 0-9 and inner '-', at most 63 characters \
         each and 253 in all, with at least one dot and an alphabetic top-level label"
    )]
    Invalid(String),
}

impl DomainName {
    /// Parses a domain name.
    pub fn parse(raw: &str) -> Result<DomainName, DomainNameError> {
        if raw.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(DomainNameError::NotLowercase {
                given: raw.to_owned(),
                suggestion: raw.to_ascii_lowercase(),
            });
        }
        let labels: Vec<&str> = raw.split('.').collect();
        let valid = raw.len() <= 253
            && labels.len() >= 2
            && labels.iter().all(|label| is_valid_label(label))
            && labels.last().is_some_and(|tld| tld.bytes().any(|b| b.is_ascii_lowercase()));
        if valid { Ok(DomainName(raw.to_owned())) } else { Err(DomainNameError::Invalid(raw.to_owned())) }
    }

    /// The domain as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_valid_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::{DomainName, DomainNameError};

    fn check(raw: &str, expected: Result<(), &str>) {
        let actual = DomainName::parse(raw).map(|_| ()).map_err(|error| match error {
            DomainNameError::NotLowercase { .. } => "uppercase",
            DomainNameError::Invalid(_) => "invalid",
        });
        assert_eq!(actual, expected, "{raw:?}");
    }

    #[test]
    fn domains_must_be_valid_lowercase_hostnames() {
        let long_label = "a".repeat(64);
        let max_label = "a".repeat(63);
        let too_long = format!("{}.com", ["abcdefghi"; 26].join("."));
        for (raw, expected) in [
            ("shop.example.com", Ok(())),
            ("xn--bcher-kva.de", Ok(())),
            ("my-shop.co.uk", Ok(())),
            ("a1.io", Ok(())),
            ("Shop.Example.com", Err("uppercase")),
            ("localhost", Err("invalid")),
            ("", Err("invalid")),
            ("shop..com", Err("invalid")),
            ("-shop.com", Err("invalid")),
            ("shop-.com", Err("invalid")),
            ("shop.com.", Err("invalid")),
            ("sh op.com", Err("invalid")),
            ("shop_1.com", Err("invalid")),
            ("https://shop.com", Err("invalid")),
            ("10.0.0.1", Err("invalid")),
            (&format!("{long_label}.com"), Err("invalid")),
            (&format!("{max_label}.com"), Ok(())),
            (&too_long, Err("invalid")),
        ] {
            check(raw, expected);
        }
    }
}
