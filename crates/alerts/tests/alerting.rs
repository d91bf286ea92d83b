//! Alerting against a real database (SQLite and PostgreSQL) and a real HTTP receiver on loopback,
//! with a controllable clock: `for` and keep-firing, exactly one notification per transition
//! (also with two evaluators on one database and after a restart), signatures, a receiver that is
//! down for a while, and silences.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use alerts::{AlertStatus, Op, Rule, Severity, Values, Webhook};
use migration::testing::{Backend, TestDb};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const SECRET: &str = "test-secret";
const URL: &str = "http://orion.test/admin/platform-health";

/// What the receiver got: (idempotency key, status, signature valid).
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(String, String, bool)>>>,
    down: Arc<AtomicBool>,
}

impl Receiver {
    fn posts(&self) -> Vec<(String, String, bool)> {
        self.got.lock().unwrap().clone()
    }
}

async fn receive(req: HttpRequest, body: web::Bytes, receiver: web::Data<Receiver>) -> HttpResponse {
    if receiver.down.load(Ordering::SeqCst) {
        return HttpResponse::ServiceUnavailable().finish();
    }
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let valid = header("x-orion-signature") == alerts::sign(SECRET, &body);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["version"], "4");
    let status = json["status"].as_str().unwrap().to_owned();
    receiver.got.lock().unwrap().push((header("idempotency-key"), status, valid));
    HttpResponse::Ok().finish()
}

/// A webhook receiver on a free loopback port.
fn start_receiver() -> (Receiver, Webhook) {
    let receiver = Receiver::default();
    let data = web::Data::new(receiver.clone());
    let server =
        HttpServer::new(move || App::new().app_data(data.clone()).route("/hook", web::post().to(receive)))
            .workers(1)
            .bind(("127.0.0.1", 0))
            .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    let hook = Webhook {
        url: format!("http://127.0.0.1:{port}/hook"),
        secret: SECRET.to_owned(),
        timeout: StdDuration::from_secs(2),
        max_attempts: 5,
    };
    (receiver, hook)
}

fn cpu_rule(for_seconds: u64, keep_firing_seconds: u64) -> Rule {
    Rule {
        name: "high_cpu_usage".to_owned(),
        metric: "cpu_percent".to_owned(),
        op: Op::Above,
        threshold: 80.0,
        for_seconds,
        keep_firing_seconds,
        severity: Severity::Warning,
        action: "scale_up".to_owned(),
        labels: Default::default(),
    }
}

fn cpu(value: f64) -> Values {
    Values::from([("cpu_percent".to_owned(), value)])
}

const T0: OffsetDateTime = datetime!(2026-11-28 12:00:00 UTC);

fn at(seconds: i64) -> OffsetDateTime {
    T0 + Duration::seconds(seconds)
}

async fn eval(db: &DatabaseConnection, rules: &[Rule], value: f64, seconds: i64) -> alerts::Cycle {
    alerts::evaluate(db, rules, &cpu(value), at(seconds), URL).await.unwrap()
}

async fn deliver(db: &DatabaseConnection, hook: &Webhook, seconds: i64) -> alerts::Delivery {
    alerts::deliver_due(db, &reqwest::Client::new(), hook, at(seconds)).await.unwrap()
}

async fn outbox(db: &DatabaseConnection) -> u64 {
    alerts::entity::alert_notification::Entity::find().count(db).await.unwrap()
}

migration::db_test!(async fn a_condition_shorter_than_for_sends_nothing_and_a_longer_one_sends_one_firing_then_one_resolved(db) {
    let (receiver, hook) = start_receiver();
    let rules = [cpu_rule(60, 0)];
    // 45 s above, then below: pending, cancelled, nothing sent.
    for (value, s) in [(90.0, 0), (90.0, 15), (90.0, 45), (10.0, 50)] {
        eval(&db, &rules, value, s).await;
    }
    deliver(&db, &hook, 50).await;
    assert!(receiver.posts().is_empty());
    assert_eq!(alerts::list(&db, &alerts::AlertFilter { recent: 10, ..Default::default() }).await.unwrap().active.len(), 0);
    // Above from 100 s on: pending, then firing at 160 s, one notification, signed.
    let first = eval(&db, &rules, 90.0, 100).await;
    assert_eq!(first.statuses[0].state, Some(AlertStatus::Pending));
    assert_eq!(eval(&db, &rules, 95.0, 145).await.queued, 0);
    let fired = eval(&db, &rules, 95.0, 160).await;
    assert_eq!((fired.transitions, fired.queued), (1, 1));
    assert_eq!(fired.statuses[0].state, Some(AlertStatus::Firing));
    assert_eq!(deliver(&db, &hook, 160).await, alerts::Delivery { sent: 1, failed: 0 });
    for s in [175, 190, 205] {
        eval(&db, &rules, 99.0, s).await;
        deliver(&db, &hook, s).await;
    }
    // Below: resolved, one notification.
    assert_eq!(eval(&db, &rules, 10.0, 220).await.queued, 1);
    deliver(&db, &hook, 220).await;
    let posts = receiver.posts();
    let statuses: Vec<&str> = posts.iter().map(|(_, s, _)| s.as_str()).collect();
    assert_eq!(statuses, ["firing", "resolved"]);
    assert!(posts.iter().all(|(_, _, valid)| *valid), "every signature verifies");
    assert_ne!(posts[0].0, posts[1].0, "one idempotency key per notification");
    let listed = alerts::list(&db, &alerts::AlertFilter { recent: 10, ..Default::default() }).await.unwrap();
    assert_eq!((listed.active.len(), listed.recent.len()), (0, 1));
    assert_eq!(listed.recent[0].value, 90.0, "the value that started it");
});

migration::db_test!(async fn oscillation_inside_the_hysteresis_band_does_not_flap(db) {
    let (receiver, hook) = start_receiver();
    let rules = [cpu_rule(0, 60)];
    for i in 0..20 {
        eval(&db, &rules, if i % 2 == 0 { 85.0 } else { 75.0 }, 15 * i).await;
        deliver(&db, &hook, 15 * i).await;
    }
    let statuses: Vec<String> = receiver.posts().into_iter().map(|(_, s, _)| s).collect();
    assert_eq!(statuses, ["firing"], "fired once, never resolved while it swung");
});

migration::db_test!(async fn a_receiver_down_for_a_while_gets_each_notification_once_when_back(db) {
    let (receiver, hook) = start_receiver();
    let rules = [cpu_rule(0, 0)];
    eval(&db, &rules, 90.0, 0).await;
    receiver.down.store(true, Ordering::SeqCst);
    assert_eq!(deliver(&db, &hook, 0).await, alerts::Delivery { sent: 0, failed: 1 });
    // Backoff: not retried before 1 s, then 2 s after the second failure.
    assert_eq!(deliver(&db, &hook, 0).await, alerts::Delivery::default());
    assert_eq!(deliver(&db, &hook, 1).await.failed, 1);
    assert_eq!(deliver(&db, &hook, 2).await, alerts::Delivery::default());
    eval(&db, &rules, 10.0, 2).await; // resolved meanwhile: a second notification waits too
    receiver.down.store(false, Ordering::SeqCst);
    assert_eq!(deliver(&db, &hook, 3).await.sent, 2);
    for s in 4..10 {
        assert_eq!(deliver(&db, &hook, s).await, alerts::Delivery::default());
    }
    let posts = receiver.posts();
    let mut keys: Vec<&str> = posts.iter().map(|(k, _, _)| k.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!((posts.len(), keys.len()), (2, 2), "exactly one per transition: {posts:?}");
});

migration::db_test!(async fn a_restart_mid_firing_sends_nothing_twice(db) {
    let (receiver, hook) = start_receiver();
    let rules = [cpu_rule(30, 0)];
    eval(&db, &rules, 90.0, 0).await;
    eval(&db, &rules, 90.0, 30).await;
    deliver(&db, &hook, 30).await;
    // A restarted instance has nothing in memory: it reads the alert from the database.
    for s in [45, 60, 75] {
        let cycle = eval(&db, &rules, 90.0, s).await;
        assert_eq!((cycle.transitions, cycle.queued), (0, 0));
        deliver(&db, &hook, s).await;
    }
    assert_eq!(receiver.posts().len(), 1);
});

migration::db_test!(async fn a_silence_holds_notifications_back_until_it_ends(db) {
    let (receiver, hook) = start_receiver();
    let rules = [cpu_rule(0, 0)];
    let silence = alerts::NewSilence {
        rule: Some("high_cpu_usage".to_owned()),
        labels: Default::default(),
        starts_at: Some(at(0)),
        ends_at: at(120),
        comment: "planned load test".to_owned(),
        created_by: "ops@orion.example".to_owned(),
    };
    alerts::add_silence(&db, silence.clone(), &rules, at(0)).await.unwrap();
    for s in [0, 30, 60, 90] {
        assert_eq!(eval(&db, &rules, 90.0, s).await.queued, 0);
        deliver(&db, &hook, s).await;
    }
    assert!(receiver.posts().is_empty(), "silenced");
    // The silence is over and it still fires: sent now, once.
    assert_eq!(eval(&db, &rules, 90.0, 120).await.queued, 1);
    assert_eq!(eval(&db, &rules, 90.0, 135).await.queued, 0);
    deliver(&db, &hook, 135).await;
    assert_eq!(receiver.posts().len(), 1);
    // Bad silences are refused with the reason.
    let bad = |change: fn(&mut alerts::NewSilence)| {
        let mut s = silence.clone();
        change(&mut s);
        s
    };
    for (silence, reason) in [
        (bad(|s| s.rule = Some("nope".to_owned())), "no rule named \"nope\""),
        (bad(|s| s.rule = None), "a silence needs a rule or at least one label to match"),
        (bad(|s| s.ends_at = at(-10)), "ends_at must be after starts_at and in the future"),
        (bad(|s| s.comment = " ".to_owned()), "comment must say why"),
    ] {
        let error = alerts::add_silence(&db, silence, &rules, at(0)).await.unwrap_err();
        assert_eq!(error.to_string(), reason);
    }
});

/// Two instances (two connection pools) evaluate and deliver at once: one alert, one
/// notification, one post.
async fn two_evaluators_on_one_database_make_each_transition_once(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = test_db.conn.clone();
    let (receiver, hook) = start_receiver();
    let rules = [cpu_rule(0, 0)];
    let other = sea_orm::Database::connect(&test_db.url).await.unwrap();
    for s in [0, 15, 30] {
        let values = cpu(90.0);
        let (a, b) = tokio::join!(
            alerts::evaluate(&db, &rules, &values, at(s), URL),
            alerts::evaluate(&other, &rules, &values, at(s), URL)
        );
        a.unwrap();
        b.unwrap();
    }
    let instances = alerts::entity::alert_instance::Entity::find().count(&db).await.unwrap();
    assert_eq!((instances, outbox(&db).await), (1, 1), "one alert, one notification");
    let client = reqwest::Client::new();
    let (a, b) = tokio::join!(
        alerts::deliver_due(&db, &client, &hook, at(30)),
        alerts::deliver_due(&other, &client, &hook, at(30))
    );
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 1);
    assert_eq!(receiver.posts().len(), 1);
    other.close().await.unwrap();
    test_db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_evaluators_on_one_database_make_each_transition_once_sqlite() {
    two_evaluators_on_one_database_make_each_transition_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_evaluators_on_one_database_make_each_transition_once_postgres() {
    two_evaluators_on_one_database_make_each_transition_once(Backend::Postgres).await;
}

migration::db_test!(async fn alerts_of_rules_no_longer_configured_are_forgotten_or_resolved(db) {
    let pending = Rule { name: "slow_cpu".to_owned(), ..cpu_rule(600, 0) };
    let firing = cpu_rule(0, 0);
    eval(&db, &[pending, firing], 90.0, 0).await;
    assert_eq!(outbox(&db).await, 1, "the firing one was queued");
    // Both rules removed from the configuration.
    let cycle = eval(&db, &[], 90.0, 15).await;
    assert_eq!((cycle.transitions, cycle.queued), (2, 1), "one forgotten, one resolved and notified");
    let listed = alerts::list(&db, &alerts::AlertFilter { recent: 10, ..Default::default() }).await.unwrap();
    assert_eq!(listed.active.len(), 0);
    let recent: Vec<&str> = listed.recent.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(recent, ["high_cpu_usage"], "the pending one left no trace");
});
