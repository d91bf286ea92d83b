//! Snapshots, trends and forecasts over HTTP.

use forecast::entity::capacity_snapshot;
use sea_orm::EntityTrait;
use tests::e2e_test;
use time::{Duration, OffsetDateTime};

const BASE: &str = "/api/v1/admin/platform-health";

/// Replaces the history with `days` daily snapshots ending today, products growing by `per_day`.
async fn linear_history(app: &tests::TestApp, days: i64, start: i64, per_day: i64) {
    products_history(app, &(0..days).map(|i| start + per_day * i).collect::<Vec<_>>()).await;
}

/// Replaces the history with one daily snapshot per value of `products`, the last one today.
async fn products_history(app: &tests::TestApp, products: &[i64]) {
    let today = OffsetDateTime::now_utc().date();
    let template = forecast::snapshot_on(&app.db, today).await.unwrap().expect("captured at start-up");
    capacity_snapshot::Entity::delete_many().exec(&app.db).await.unwrap();
    let days = products.len() as i64;
    let rows: Vec<forecast::Snapshot> = (0..days)
        .zip(products)
        .map(|(i, &total_products)| forecast::Snapshot {
            snapshot_date: today - Duration::days(days - 1 - i),
            total_products,
            total_stores: 100 + i,
            ..template.clone()
        })
        .collect();
    forecast::import_snapshots(&app.db, &rows).await.unwrap();
}

e2e_test!(async fn today_is_captured_at_start_up_and_a_second_capture_returns_it(app) {
    let reply = app.post_as_admin(&format!("{BASE}/snapshot")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["total_products"], 9);
    assert_eq!(reply.json["total_stores"], 3);
    assert!(reply.json["message"].as_str().unwrap().contains("already exists"));
    let today = OffsetDateTime::now_utc().date();
    assert_eq!(reply.json["snapshot_date"], format!("{today}T00:00:00Z"));

    capacity_snapshot::Entity::delete_many().exec(&app.db).await.unwrap();
    let fresh = app.post_as_admin(&format!("{BASE}/snapshot")).await;
    assert_eq!(fresh.status, 201, "{}", fresh.text);
    assert_eq!(fresh.json["message"], "Snapshot captured successfully");
    assert_eq!(app.post(&format!("{BASE}/snapshot"), Some(&app.viewer_token)).await.status, 403);
});

e2e_test!(async fn trends_follow_the_seed_formulas(app) {
    linear_history(&app, 31, 115_000, 10_000 / 30).await;
    let reply = app.get_as_admin(&format!("{BASE}/trends?days=30")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let t = &reply.json;
    assert_eq!(t["period_days"], 30);
    assert_eq!(t["snapshots_available"], 31);
    let products = &t["trends"]["products"];
    assert_eq!(products["start_value"], 115_000.0);
    assert_eq!(products["current_value"], 124_990.0);
    assert_eq!(products["growth_rate_percent"], 8.69);
    assert_eq!(t["trends"]["stores"]["change"], 30.0);
    for days in ["0", "731", "abc"] {
        let bad = app.get_as_admin(&format!("{BASE}/trends?days={days}")).await;
        assert_eq!(bad.status, 400, "days={days}");
        assert_eq!(bad.json["error"]["code"], "bad_request");
    }
});

e2e_test!(async fn forecast_estimates_the_crossing_with_intervals(app) {
    // 1,000 products/day from 400,000 over 30 days: 429,000 today; 475,000 (critical) in 46 days.
    linear_history(&app, 30, 400_000, 1_000).await;
    let reply = app.get_as_admin(&format!("{BASE}/forecast?metric=total_products")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let f = &reply.json;
    assert_eq!(f["threshold"], 475_000.0);
    assert_eq!(f["current_value"], 429_000.0);
    assert_eq!(f["estimate"]["method"], "linear");
    assert_eq!(f["estimate"]["days"], 46.0);
    assert_eq!(f["estimate"]["points"], 30);
    // 30 days of history check forecasts 20 days ahead: 46 days out, the late end is open.
    assert_eq!(f["estimate"]["calibrated_up_to_days"], 20);
    assert!(f["estimate"]["interval_80"]["high"].is_null(), "{}", reply.text);
    let low = f["estimate"]["interval_80"]["low"].as_f64().unwrap();
    // The early end: the level is many typical errors away (the backtest's errors are 0), so the
    // trend carries the series there and the crossing band is not widened for the extrapolation;
    // every interval still holds the estimate × e^±0.2 (a change of pace the history cannot
    // show): 46 × e^-0.2 = 37.7 days. (The full widening, for a level within noise's reach, would
    // give 46 / 3.5 = 13.2 days.)
    assert_eq!(low, 37.7, "{}", reply.text);
    let notes = f["estimate"]["notes"].to_string();
    assert!(notes.contains("checks forecasts up to 20 days ahead"), "{notes}");
    assert!(f["estimate"]["candidates"].as_array().unwrap().len() >= 4, "{}", reply.text);
    let expected = OffsetDateTime::now_utc().date() + Duration::days(46);
    assert_eq!(f["expected_date"], expected.to_string());

    let custom = app.get_as_admin(&format!("{BASE}/forecast?metric=total_stores&threshold=200")).await;
    assert_eq!(custom.json["estimate"]["days"], 71.0, "{}", custom.text);
});

e2e_test!(async fn forecast_says_why_there_is_no_estimate_and_refuses_bad_input(app) {
    let reply = app.get_as_admin(&format!("{BASE}/forecast?metric=total_products")).await;
    assert_eq!(reply.status, 200);
    assert!(reply.json["estimate"].is_null());
    assert!(reply.json["reason"].as_str().unwrap().contains("at least 7"), "{}", reply.text);
    for query in ["metric=vendors", "metric=total_stores", "metric=total_products&threshold=-5", "threshold=5", ""] {
        let bad = app.get_as_admin(&format!("{BASE}/forecast?{query}")).await;
        assert_eq!(bad.status, 400, "{query}: {}", bad.text);
    }
});

e2e_test!(async fn recommendations_include_the_forecast_and_the_tier(app) {
    linear_history(&app, 30, 400_000, 1_000).await;
    let reply = app.get_as_admin(&format!("{BASE}/recommendations")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let list = reply.json.as_array().unwrap();
    let forecast = list.iter().find(|r| r["title"] == "Products forecast to reach the critical level").expect("forecast rule");
    assert_eq!(forecast["category"], "growth");
    // The interval's near end (38 days) is past a month and within three: warning, and it says why.
    assert_eq!(forecast["severity"], "warning");
    assert_eq!(forecast["description"], "Products reach the 475,000 critical level in ~46 days (80 %: 38–beyond 10 years; rated on the near end)");
    let tier = list.iter().find(|r| r["category"] == "infrastructure").unwrap();
    assert_eq!(tier["title"], "Current tier: Starter");
    // The live platform (3 stores of Starter's 50, 9 products of its 10,000): stores decide.
    assert_eq!(tier["description"], "Next upgrade trigger: 50 stores (now 3, 6%)");
    assert_eq!(list[0]["severity"], "warning", "most severe first");
    assert!(list.iter().all(|r| r["severity"] != "critical"), "{}", reply.text);
});

e2e_test!(async fn a_level_within_noise_without_an_estimate_is_still_rated(app) {
    // Products drifting down by 5 a day with ±3,000 of day-to-day noise, never quite at the
    // critical 475,000 (at most 474,995): no model reaches it, but noise may any day.
    let products: Vec<i64> = (0..60).map(|i| 472_000 - 5 * i + ((i * 7_919) % 13 - 6) * 500).collect();
    assert!(products.iter().all(|p| *p < 475_000));
    products_history(&app, &products).await;
    let f = app.get_as_admin(&format!("{BASE}/forecast?metric=total_products")).await;
    assert_eq!(f.status, 200, "{}", f.text);
    assert!(f.json["estimate"].is_null(), "{}", f.text);
    let opens = f.json["open_interval_80"]["low"].as_f64().expect("an open interval");
    assert!((opens - 28.7).abs() < 1e-9, "{}", f.text);
    assert!(f.json["open_interval_80"]["high"].is_null(), "{}", f.text);
    let reason = f.json["reason"].as_str().unwrap();
    assert!(reason.contains(&format!("its 80 % interval opens in {opens:.0} days")), "{}", f.text);
    let list = app.get_as_admin(&format!("{BASE}/recommendations")).await;
    let rated = list.json.as_array().unwrap().iter().find(|r| r["title"] == "Products may reach the critical level");
    let rated = rated.unwrap_or_else(|| panic!("{}", list.text));
    // Within a month: critical, and the text and the action say it may also never come.
    assert_eq!(rated["severity"], "critical", "{}", list.text);
    assert_eq!(rated["description"], "Products: no estimate for the 475,000 critical level, but it may be reached from ~29 days on (80 %: from day 29, or not at all; rated on the near end)");
    assert_eq!(rated["action"], "Prepare to scale: the level may come within a month");
    // The alert metric rates the same near end.
    let values = admin_api::alerting::measure(&app.state).await;
    let near = values.get("days_until_products_total_critical").copied();
    assert!(near.is_some_and(|d| (d - 28.7).abs() < 1e-9), "{values:?}");
});

e2e_test!(async fn projections_extend_the_fit_and_the_scenarios(app) {
    linear_history(&app, 30, 400_000, 1_000).await;
    let reply = app.get_as_admin(&format!("{BASE}/projections?growth=0.2&churn=0.05")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let p = &reply.json;
    assert_eq!(p["products"], 429_000);
    let products = &p["metrics"]["total_products"];
    assert_eq!(products["method"], "linear");
    assert_eq!(products["months"]["3"][1], 520_000.0); // 429,000 + 91 days × 1,000
    assert_eq!(products["months"]["12"][1], 794_000.0);
    assert_eq!(p["fitted_tiers"][0]["month"], 3);
    assert_eq!(p["fitted_tiers"][0]["infrastructure_tier"], "Enterprise"); // 520,000 products > Scale's 500,000
    let names: Vec<&str> = p["scenarios"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["conservative", "moderate", "aggressive", "measured", "custom"]);
    assert_eq!(p["scenarios"][4]["months"].as_array().unwrap().len(), 12);
    // Measured from the platform's last 30 days: both fixture merchants are new today, and nobody
    // was live 30 days ago, so there is no base to take a rate of.
    assert_eq!((p["scenarios"][3]["monthly_growth"].as_f64(), p["scenarios"][3]["churn_rate"].as_f64()), (Some(0.0), Some(0.0)));
    assert_eq!(p["scenarios"][1]["months"][0]["stores"], 151); // 129 × 1.17
    for query in ["growth=-1", "churn=0.1", "growth=9", "growth=abc"] {
        assert_eq!(app.get_as_admin(&format!("{BASE}/projections?{query}")).await.status, 400, "{query}");
    }
});

e2e_test!(async fn sizing_reproduces_the_seed_multi_tier_mix(app) {
    let mix = r#"{"tier_mix": {"essential": 500, "professional": 300, "business": 150, "enterprise": 50}}"#;
    let reply = app.post_json_as_admin(&format!("{BASE}/sizing"), mix).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["products"], 440_000);
    assert_eq!(reply.json["monthly_orders"], 700_000);
    assert_eq!(reply.json["infrastructure_tier"], "Scale");
    assert_eq!(reply.json["monthly_cost_eur"], 700);
    for bad in [r#"{"tier_mix": {"gold": 1}}"#, r#"{"products": 5}"#, r#"{"stores": 1, "products": 1, "colour": 2}"#, "{not json"] {
        let reply = app.post_json_as_admin(&format!("{BASE}/sizing"), bad).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.text);
        assert_eq!(reply.json["error"]["code"], "bad_request", "{bad}");
    }
});

e2e_test!(async fn reports_come_as_csv_that_parses_and_pdf_that_renders(app) {
    linear_history(&app, 10, 1_000, 10).await;
    let csv = app.get_as_admin(&format!("{BASE}/reports/weekly?format=csv")).await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(csv.content_type.unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(lines[0], "date,stores,active_stores,products,orders_month,orders_30d,team_members,storage_gb,db_size_mb");
    assert_eq!(lines.len(), 1 + 8, "the last 7 days plus today");
    assert!(lines[8].contains(",1090,"), "{}", lines[8]);

    let dir = tempfile::tempdir().unwrap();
    for kind in ["weekly", "monthly", "projection"] {
        let pdf = app.get_bytes_as_admin(&format!("{BASE}/reports/{kind}?format=pdf")).await;
        assert!(pdf.starts_with(b"%PDF-"), "{kind}");
        let file = dir.path().join(format!("{kind}.pdf"));
        std::fs::write(&file, &pdf).unwrap();
        let rendered = std::process::Command::new("pdftoppm")
            .args(["-png", "-r", "30", "-singlefile"])
            .arg(&file)
            .arg(dir.path().join(kind))
            .output()
            .expect("pdftoppm (poppler-utils) is installed by .ci/run");
        assert!(rendered.status.success(), "{kind}: {}", String::from_utf8_lossy(&rendered.stderr));
        let png = std::fs::metadata(dir.path().join(format!("{kind}.png"))).unwrap();
        assert!(png.len() > 1_000, "{kind}: a rendered page");
        // What it says, as a reader's tool extracts it.
        let text = std::process::Command::new("pdftotext").args(["-layout"]).arg(&file).arg("-").output().unwrap();
        assert!(text.status.success(), "{kind}: {}", String::from_utf8_lossy(&text.stderr));
        let text = String::from_utf8(text.stdout).unwrap();
        let today = OffsetDateTime::now_utc().date();
        let expected: &[String] = &match kind {
            "weekly" => vec![
                "Orion weekly capacity report".into(),
                format!("{} to {today}, 8 daily snapshots", today - Duration::days(7)),
                "Products: 1020 -> 1090".into(),
                today.to_string(),
            ],
            "monthly" => vec![
                "Orion monthly capacity report".into(),
                format!("{} to {today}, 10 daily snapshots", today - Duration::days(9)),
                "Products: 1000 -> 1090".into(),
            ],
            _ => vec![
                "Orion capacity projection report".into(),
                format!("From {today} (109 stores, 1090 products)"),
                "total_products".into(),
                "Scenario moderate".into(),
            ],
        };
        for line in expected {
            assert!(text.contains(line.as_str()), "{kind}: {line:?} missing from\n{text}");
        }
    }
    assert_eq!(app.get_as_admin(&format!("{BASE}/reports/yearly")).await.status, 404);
    assert_eq!(app.get_as_admin(&format!("{BASE}/reports/weekly?format=xls")).await.status, 400);
});
