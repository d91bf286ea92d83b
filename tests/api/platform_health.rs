//! The three platform-health routes, as an admin, snapshotted (times and machine figures redacted).

use tests::e2e_test;

/// Redacts what differs between runs, machines and backends.
macro_rules! assert_health_snapshot {
    ($value:expr) => {
        insta::assert_json_snapshot!("health", $value, {
            ".timestamp" => "[timestamp]",
            ".system.cpu_percent" => "[machine]",
            ".system.memory_percent" => "[machine]",
            ".system.memory_used_gb" => "[machine]",
            ".system.memory_total_gb" => "[machine]",
            ".system.disk_percent" => "[machine]",
            ".system.disk_used_gb" => "[machine]",
            ".system.disk_free_gb" => "[machine]",
            ".system.disk_total_gb" => "[machine]",
            ".system.sampled_at" => "[machine]",
            ".database.size_mb" => "[size]",
            ".database.freshness.measured_at" => "[timestamp]",
            ".database.freshness.age_seconds" => "[age]",
            ".performance.requests" => "[load]",
            ".performance.requests_per_second" => "[load]",
            ".performance.error_rate_percent" => "[load]",
            ".performance.avg_response_ms" => "[load]",
            ".performance.p50_ms" => "[load]",
            ".performance.p95_ms" => "[load]",
            ".performance.p99_ms" => "[load]",
            // Database (MB), Disk, Memory, CPU and response time depend on the machine/backend.
            ".thresholds[2].current" => "[size]",
            ".thresholds[2].percent_used" => "[size]",
            ".thresholds[3].current" => "[machine]",
            ".thresholds[3].percent_used" => "[machine]",
            ".thresholds[4].current" => "[machine]",
            ".thresholds[4].percent_used" => "[machine]",
            ".thresholds[5].current" => "[machine]",
            ".thresholds[5].percent_used" => "[machine]",
            ".thresholds[7].current" => "[load]",
            ".thresholds[7].percent_used" => "[load]",
            ".thresholds[8].current" => "[load]",
            ".thresholds[8].percent_used" => "[load]",
            ".thresholds[9].current" => "[load]",
            ".thresholds[9].percent_used" => "[load]",
            ".thresholds[10].current" => "[load]",
            ".thresholds[10].percent_used" => "[load]",
        })
    };
}

e2e_test!(async fn health_reports_the_platform_with_seed_001_fields(app) {
    let reply = app.get_as_admin("/api/v1/admin/platform-health/health").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let health = &reply.json;
    assert_eq!(health["database"]["products_count"], 9);
    assert_eq!(health["database"]["stores_count"], 3);
    assert_eq!(health["database"]["orders_count"], 3);
    assert_eq!(health["database"]["freshness"]["database_reachable"], true);
    assert!(health["database"]["size_mb"].as_f64().unwrap() > 0.0);
    assert!(health["system"]["memory_total_gb"].as_f64().unwrap() > 0.0, "the sampler ran");
    assert_health_snapshot!(health);
});

e2e_test!(async fn the_disk_figures_are_what_df_reports_for_the_data_directory(app) {
    // The test's data directory is a temporary directory: the same file system as this one.
    let out = std::process::Command::new("df")
        .args(["--output=used,avail,size", "-B1"])
        .arg(std::env::temp_dir())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let df: Vec<f64> = text.lines().nth(1).unwrap().split_whitespace().map(|n| n.parse().unwrap()).collect();
    let reply = app.get_as_admin("/api/v1/admin/platform-health/health").await;
    let system = &reply.json["system"];
    let gib = 1024.0 * 1024.0 * 1024.0;
    let close = |key: &str, expected: f64, within: f64| {
        let ours = system[key].as_f64().unwrap();
        assert!((ours - expected).abs() <= within, "{key}: ours {ours}, df {expected}");
    };
    close("disk_percent", df[0] / (df[0] + df[1]) * 100.0, 0.5);
    close("disk_total_gb", df[2] / gib, 0.01);
    // Used and free move with other writers between the sample and df: within 0.5 % of the size.
    close("disk_used_gb", df[0] / gib, df[2] / gib * 0.005);
    close("disk_free_gb", df[1] / gib, df[2] / gib * 0.005);
});

e2e_test!(async fn capacity_lists_products_by_store_and_this_months_orders(app) {
    let reply = app.get_as_admin("/api/v1/admin/platform-health/capacity").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    insta::assert_json_snapshot!("capacity", reply.json, {
        ".database_size_mb" => "[size]",
        ".freshness.measured_at" => "[timestamp]",
        ".freshness.age_seconds" => "[age]",
    });
});

e2e_test!(async fn capacity_top_stores_keeps_the_largest(app) {
    let reply = app.get_as_admin("/api/v1/admin/platform-health/capacity?top_stores=1").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["products_by_store"], serde_json::json!({"globex-main": 4}));
});

e2e_test!(async fn capacity_refuses_bad_query_parameters(app) {
    for query in ["top_stores=0", "top_stores=10001", "top_stores=abc", "top_stores=-1", "colour=red"] {
        let reply = app.get_as_admin(&format!("/api/v1/admin/platform-health/capacity?{query}")).await;
        assert_eq!(reply.status, 400, "{query}: {}", reply.text);
        assert_eq!(reply.json["error"]["code"], "bad_request", "{query}");
        assert!(reply.json["error"]["message"].as_str().unwrap().len() > 10, "{query}: message says why");
    }
});

e2e_test!(async fn subscription_capacity_sums_the_sold_limits(app) {
    let reply = app.get_as_admin("/api/v1/admin/platform-health/subscription-capacity").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    insta::assert_json_snapshot!("subscription_capacity", reply.json, {
        ".freshness.measured_at" => "[timestamp]",
        ".freshness.age_seconds" => "[age]",
    });
});

e2e_test!(async fn figures_follow_the_database_after_a_refresh(app) {
    let before = app.get_as_admin("/api/v1/admin/platform-health/capacity").await.json;
    let now = time::OffsetDateTime::now_utc();
    let acme = merchants::MerchantId::new(1).unwrap();
    let store = stores::create_store(&app.db, stores::NewStore { merchant_id: acme, code: "acme-porto", name: "Porto" }, now)
        .await
        .unwrap();
    let product = stores::NewProduct { store_sku: "P-1", gtin: None, titles: &[], stock: None };
    stores::create_product(&app.db, store.id, product, now).await.unwrap();
    // Until the next refresh the figures are the measured ones, and say when they were measured.
    let cached = app.get_as_admin("/api/v1/admin/platform-health/capacity").await.json;
    assert_eq!(cached["products_total"], before["products_total"]);
    app.refresh_figures().await;
    let after = app.get_as_admin("/api/v1/admin/platform-health/capacity").await.json;
    assert_eq!(after["products_total"], 10);
    assert_eq!(after["products_by_store"]["acme-porto"], 1);
    assert_eq!(after["active_stores"], 4);
});

e2e_test!(async fn merchants_over_their_tier_are_listed_with_the_dynamics(app) {
    let before = app.get_as_admin("/api/v1/admin/platform-health/subscription-capacity").await.json;
    assert_eq!(before["over_limit"], serde_json::json!([]));
    assert_eq!(before["merchant_dynamics"]["new_this_month"], 2, "both fixture merchants began today");
    // Acme is Professional (3 team members) and has 2; two more arrive around the checks.
    let now = time::OffsetDateTime::now_utc();
    let lisbon = stores::StoreId::new(2).unwrap();
    for email in ["a@acme-lisbon.example", "b@acme-lisbon.example"] {
        stores::add_team_member(&app.db, lisbon, email, stores::TeamRole::Staff, now).await.unwrap();
    }
    app.refresh_figures().await;
    let after = app.get_as_admin("/api/v1/admin/platform-health/subscription-capacity").await.json;
    assert_eq!(
        after["over_limit"],
        serde_json::json!([{"merchant_id": 1, "merchant": "Acme", "tier": "professional", "resource": "team_members", "limit": 3, "current": 4}])
    );
});

mod configured_thresholds {

    async fn critical_cpu(backend: tests::Backend) {
        tests::run_with(
            backend,
            |settings| {
                // Any CPU reading is at or above 0: critical by configuration.
                settings.thresholds.cpu_percent =
                    health::Levels { warning: 0.0, critical: 0.0, limit: 100.0 };
                settings.thresholds.products_total =
                    health::Levels { warning: 5.0, critical: 100.0, limit: 200.0 };
            },
            |app| async move {
                let health = app.get_as_admin("/api/v1/admin/platform-health/health").await.json;
                assert_eq!(health["overall_status"], "critical");
                let products = &health["thresholds"][0];
                assert_eq!(
                    (products["status"].as_str(), products["percent_used"].as_f64()),
                    (Some("warning"), Some(4.5))
                );
                let titles: Vec<&str> = health["recommendations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["title"].as_str().unwrap())
                    .collect();
                assert!(titles.contains(&"CPU Usage (%) at critical level"), "{titles:?}");
                assert!(titles.contains(&"Products approaching limit"), "{titles:?}");
            },
        )
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        critical_cpu(tests::Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        critical_cpu(tests::Backend::Postgres).await
    }
}
