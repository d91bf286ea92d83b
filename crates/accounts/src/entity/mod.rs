//! Admin users and API tokens (tables from `migration`'s admin migration).
#![allow(missing_docs)] // columns are documented in the migration

pub mod admin_user;
pub mod api_token;
