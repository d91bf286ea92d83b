//! Accounts: admin users and their API tokens. A token is 256 random bits, shown once, stored as
//! a SHA-256 hash with an identifying prefix (`orion_` and 8 hex digits) for revocation.
//!
//! Without the `db` feature: [`Role`], [`Email`] and the token format ([`hash_token`]). With it
//! (the default): the tables, [`create_admin`], [`revoke_token`] and [`TokenVerifier`], which
//! answers "whose token is this?" with a short cache.
//!
//! Architecture invariant: no HTTP here; the service turns [`Verified`] into its own extractor.

#[cfg(feature = "db")]
pub mod entity;
mod ids;
mod token;
#[cfg(feature = "db")]
mod users;

pub use ids::{AdminUserId, ApiTokenId};
pub use token::{IDENTIFYING_CHARS, TOKEN_PREFIX, hash_token, new_token};
#[cfg(feature = "db")]
pub use users::{
    AuthSettings, IssuedToken, TokenVerifier, Verified, admin_count, create_admin, revoke_token,
};

use serde::{Deserialize, Serialize};

/// A user's role. Only admins may use the admin routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::N(16))")
)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Role {
    /// Full access to the admin API.
    #[cfg_attr(feature = "db", sea_orm(string_value = "admin"))]
    Admin,
    /// Can sign in but not use the admin routes (read-only staff, integrations in preparation).
    #[cfg_attr(feature = "db", sea_orm(string_value = "viewer"))]
    Viewer,
}

impl Role {
    /// `admin` or `viewer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }
}

/// An email address as admin users are identified by: trimmed, lowercase, one `@` with text on
/// both sides and a dot in the domain, no spaces, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Parses `input`, saying what is wrong.
    pub fn parse(input: &str) -> Result<Email> {
        let email = input.trim().to_lowercase();
        let valid_parts = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@') && domain.contains('.')
        });
        if email.len() > 254 || email.chars().any(char::is_whitespace) || !valid_parts {
            return Err(Error::InvalidEmail(input.chars().take(254).collect()));
        }
        Ok(Email(email))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What can go wrong with accounts.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not an email address.
    #[error("{0:?} is not an email address like admin@example.com")]
    InvalidEmail(String),
    /// The database failed.
    #[cfg(feature = "db")]
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// This crate's result.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_parsed_lowercase_and_nonsense_is_refused() {
        assert_eq!(Email::parse(" Ops@Example.COM ").unwrap().as_str(), "ops@example.com");
        for bad in ["", "ops", "@example.com", "ops@", "ops@localhost", "o ps@example.com", "a@b@c.com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
