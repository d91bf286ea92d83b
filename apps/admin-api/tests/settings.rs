//! Configuration layers and validation, the render cache and URL redaction: the admin-api
//! library's own logic, without a server.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use actix_web::web::Bytes;
use admin_api::config::Settings;
use admin_api::render_cache::RenderCache;
use health::Thresholds;
use images::StorageBackend;

#[test]
fn files_then_environment_override_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("default.toml"), "[server]\nport = 9000\nhost = \"0.0.0.0\"\n").unwrap();
    std::fs::write(dir.path().join("staging.toml"), "[server]\nport = 9100\n").unwrap();
    let env = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();

    let base = Settings::from_layers(dir.path(), env(&[])).unwrap();
    assert_eq!((base.server.host.as_str(), base.server.port), ("0.0.0.0", 9000));
    assert_eq!(base.thresholds, Thresholds::default());

    let layered = Settings::from_layers(
        dir.path(),
        env(&[
            ("ORION_ENV", "staging"),
            ("ORION__DATABASE__URL", "postgres://postgres@127.0.0.1/orion"),
            ("ORION__THRESHOLDS__PRODUCTS_TOTAL__WARNING", "1000"),
        ]),
    )
    .unwrap();
    assert_eq!(layered.server.port, 9100);
    assert_eq!(layered.database.url, "postgres://postgres@127.0.0.1/orion");
    assert_eq!(layered.thresholds.products_total.warning, 1000.0);
    assert_eq!(layered.thresholds.products_total.critical, 475_000.0);

    let missing = Settings::from_layers(dir.path(), env(&[("ORION_ENV", "nope")])).unwrap_err();
    assert!(missing.to_string().contains("nope.toml"), "{missing}");
}

#[test]
fn thresholds_out_of_order_are_refused_with_their_key() {
    let mut settings = Settings::default();
    settings.thresholds.cpu_percent.warning = 90.0; // above critical 85
    let error = settings.validate().unwrap_err().to_string();
    assert!(error.contains("thresholds.cpu_percent"), "{error}");
    assert!(Settings::default().validate().is_ok());
}

#[test]
fn the_s3_backend_needs_its_bucket_and_keys() {
    let mut settings = Settings::default();
    settings.images.backend = StorageBackend::S3;
    let error = settings.validate().unwrap_err().to_string();
    assert!(error.contains("images.s3.bucket"), "{error}");
    settings.images.s3.bucket = "orion".to_owned();
    settings.images.s3.access_key_id = "id".to_owned();
    settings.images.s3.secret_access_key = "secret".to_owned();
    assert!(settings.validate().is_ok());
    assert!(!format!("{settings:?}").contains("secret\""), "the secret never reaches logs");
    settings.images.quality = 120.0;
    assert!(settings.validate().unwrap_err().to_string().contains("images.quality"));
}

#[test]
fn a_body_is_reused_only_within_the_same_second_and_database_state() {
    let cache = RenderCache::default();
    let renders = std::cell::Cell::new(0);
    let get = |second, state| {
        cache
            .get_or_render::<()>("health", second, state, || {
                renders.set(renders.get() + 1);
                Ok(Bytes::from(format!("{second}/{state}")))
            })
            .unwrap()
    };
    assert_eq!(get(10, 1), "10/1");
    assert_eq!(get(10, 1), "10/1");
    assert_eq!(get(11, 1), "11/1");
    assert_eq!(get(11, 2), "11/2");
    assert_eq!(renders.get(), 3);
}

#[test]
fn the_shipped_default_file_says_what_the_built_in_defaults_are() {
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let loaded = Settings::from_layers(&shipped, Default::default()).unwrap();
    assert_eq!(loaded, Settings::default());
}

#[test]
fn a_rate_tier_can_be_added_and_an_unknown_one_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let env = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let settings = Settings::from_layers(
        dir.path(),
        env(&[
            ("ORION__RATE_LIMIT__TIERS__OPS__REQUESTS_PER_MINUTE", "30"),
            ("ORION__RATE_LIMIT__TIERS__OPS__REQUESTS_PER_HOUR", "600"),
            ("ORION__RATE_LIMIT__TIERS__OPS__REQUESTS_PER_DAY", "0"),
            ("ORION__RATE_LIMIT__TIERS__OPS__CONCURRENT_REQUESTS", "2"),
            ("ORION__RATE_LIMIT__TIERS__OPS__BURST_ALLOWANCE", "5"),
            ("ORION__RATE_LIMIT__ADMIN_TIER", "ops"),
        ]),
    )
    .unwrap();
    let ops = settings.rate_limit.limits("ops").unwrap();
    assert_eq!((ops.per_minute, ops.burst, ops.per_day), (30, 5, None));
    let error =
        Settings::from_layers(dir.path(), env(&[("ORION__RATE_LIMIT__PUBLIC_TIER", "gold")])).unwrap_err();
    assert!(format!("{error:#}").contains("rate_limit.public_tier"), "{error:#}");
}
