//! Orion admin API: the actix-web shell around the domain crates.
//!
//! - [`config`]: layered settings; [`telemetry`]: logging.
//! - [`startup`]: database connection, background measurements (and the daily snapshot), the
//!   HTTP server; [`state`]: what handlers reach.
//! - [`routes`]: thin handlers; [`dto`]: the JSON shapes; [`error`]: the one error type.
//! - [`auth`]: the admin extractor; [`observability`]: request measurement and `/metrics`;
//!   [`openapi`]: the generated OpenAPI document; [`render_cache`]: `/health` bodies reused per second.
//! - [`alerting`]: the values alert rules watch, and the evaluation and delivery tasks.
//! - [`cli`]: the commands of the binary.
//!
//! Architecture invariant: no business rule lives here, no handler runs SQL or counts a table.
//! Handlers parse, call one domain function, and translate the result to the seed JSON shapes.

pub mod alerting;
pub mod auth;
pub mod cli;
pub mod config;
pub mod dto;
pub mod error;
pub mod observability;
pub mod openapi;
pub mod render_cache;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
