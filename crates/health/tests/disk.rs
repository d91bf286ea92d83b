//! The disk figures against an independent source: `df` on the same directory.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::process::Command;

/// `df --output=used,avail,size -B1 DIR`: bytes used, available and in all.
fn df(dir: &std::path::Path) -> (u64, u64, u64) {
    let out =
        Command::new("df").args(["--output=used,avail,size", "-B1"]).arg(dir).output().expect("df runs");
    assert!(out.status.success(), "df failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let numbers: Vec<u64> =
        text.lines().nth(1).expect("a data line").split_whitespace().map(|n| n.parse().unwrap()).collect();
    (numbers[0], numbers[1], numbers[2])
}

#[test]
fn disk_figures_agree_with_df_on_the_data_directory() {
    for dir in [std::env::temp_dir(), std::env::current_dir().unwrap()] {
        let ours = health::disk_space(&dir).unwrap();
        let (used, available, size) = df(&dir);
        // df prints used/(used+avail) rounded up; compare the exact ratio within half a point.
        let df_percent = used as f64 / (used + available) as f64 * 100.0;
        assert!(
            (ours.percent_used() - df_percent).abs() <= 0.5,
            "{}: ours {} %, df {df_percent:.2} %",
            dir.display(),
            ours.percent_used()
        );
        assert_eq!(ours.total, size, "{}: size", dir.display());
        // Other processes write between the two reads: a little drift, not the reserved blocks.
        let drift = |a: u64, b: u64| a.abs_diff(b) as f64 / size as f64;
        assert!(drift(ours.used, used) < 0.005, "{}: used {} vs df {used}", dir.display(), ours.used);
        assert!(
            drift(ours.available, available) < 0.005,
            "{}: available {} vs df {available}",
            dir.display(),
            ours.available
        );
    }
}
