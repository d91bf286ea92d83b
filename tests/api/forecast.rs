//! Snapshots, trends and forecasts over HTTP.

use chrono::{Duration, Utc};
use forecast::entity::capacity_snapshot;
use sea_orm::{ActiveValue::Set, EntityTrait};
use tests::e2e_test;

const BASE: &str = "/api/v1/admin/platform-health";

/// Replaces the history with `days` daily snapshots ending today, products growing by `per_day`.
async fn linear_history(app: &tests::TestApp, days: i64, start: i64, per_day: i64) {
    let today = Utc::now().date_naive();
    let template = forecast::snapshot_on(&app.db, today).await.unwrap().expect("captured at start-up");
    capacity_snapshot::Entity::delete_many().exec(&app.db).await.unwrap();
    let rows: Vec<capacity_snapshot::ActiveModel> = (0..days)
        .map(|i| {
            let mut row: capacity_snapshot::ActiveModel = template.clone().into();
            row.id = sea_orm::ActiveValue::NotSet;
            row.snapshot_date = Set(today - Duration::days(days - 1 - i));
            row.total_products = Set(start + per_day * i);
            row.total_stores = Set(100 + i);
            row
        })
        .collect();
    capacity_snapshot::Entity::insert_many(rows).exec(&app.db).await.unwrap();
}

e2e_test!(async fn today_is_captured_at_start_up_and_a_second_capture_returns_it(app) {
    let reply = app.post_as_admin(&format!("{BASE}/snapshot")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["total_products"], 9);
    assert_eq!(reply.json["total_stores"], 3);
    assert!(reply.json["message"].as_str().unwrap().contains("already exists"));
    let today = Utc::now().date_naive();
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
    assert_eq!(f["estimate"]["interval_80"]["low"], 46.0);
    assert_eq!(f["estimate"]["points"], 30);
    let expected = Utc::now().date_naive() + Duration::days(46);
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
