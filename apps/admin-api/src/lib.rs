//! Orion admin API: the actix-web shell around the domain crates.
//!
//! - [`config`]: layered settings; [`telemetry`]: logging.
//! - [`startup`]: database connection, background measurements, the HTTP server;
//!   [`scheduler`]: the daily capacity snapshot.
//! - [`routes`]: thin handlers; [`dto`]: the JSON shapes; [`error`]: the one error type.
//! - [`auth`]: admin API tokens; [`observability`]: request measurement and `/metrics`;
//!   [`openapi`]: the generated OpenAPI document; [`render_cache`]: `/health` bodies reused per second.
//! - [`cli`]: the commands of the binary; [`seed`]: demo data.
//!
//! Architecture invariant: no business rule lives here. Handlers read what the domain crates
//! computed and translate it to the seed JSON shapes.

pub mod auth;
pub mod cli;
pub mod config;
pub mod dto;
pub mod entity;
pub mod error;
pub mod observability;
pub mod openapi;
pub mod render_cache;
pub mod routes;
pub mod scheduler;
pub mod seed;
pub mod startup;
pub mod telemetry;
