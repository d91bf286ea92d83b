//! `percent_used` rounds as seed 001's Python does: `round(x, 1)`, checked against Python's own
//! answers for 20,000 values next to a tie (scripts/python-round-cases.py wrote them).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

#[test]
fn round1_agrees_with_python_on_20000_values_next_to_a_tie() {
    let expected = include_str!("data/python_round_1.txt");
    let mut naive_differs = 0;
    for (i, line) in expected.lines().enumerate() {
        let k = (i as i64 * 7919) % 100_000;
        let base = (k as f64 + 0.5) / 10.0;
        let x = f64::from_bits((base.to_bits() as i64 + (i as i64 % 7 - 3)) as u64);
        let python: f64 = line.parse().unwrap();
        assert_eq!(health::round1(x), python, "case {i}: round({x:?}, 1)");
        naive_differs += usize::from((x * 10.0).round() / 10.0 != python);
    }
    assert_eq!(expected.lines().count(), 20_000);
    // The naive formula really does differ on these cases: the test would notice a regression.
    assert!(naive_differs > 1_000, "{naive_differs}");
}
