//! The exported rule file is one Prometheus accepts: `promtool check rules` (Debian's prometheus
//! package; .ci/run installs it) on the default set and on configured rules with labels.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::process::Command;

#[test]
fn promtool_accepts_the_exported_rules() {
    let mut rules = alerts::default_rules(&health::Thresholds::default());
    rules[0].labels.insert("team".to_owned(), "platform's on-call".to_owned());
    let file = std::env::temp_dir().join(format!("orion-rules-{}.yml", std::process::id()));
    std::fs::write(&file, alerts::prometheus_rules(&rules)).unwrap();
    let out = Command::new("promtool")
        .args(["check", "rules"])
        .arg(&file)
        .output()
        .expect("promtool (Debian's prometheus package; .ci/run installs it)");
    let _ = std::fs::remove_file(&file);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&format!("SUCCESS: {} rules found", rules.len())), "{text}");
}
