#!/usr/bin/env python3
"""Where the forecast's 80 % intervals are too wide or too narrow, by regime: the backtest's
answered cases (examples/backtest.rs with BACKTEST_CASES=1) grouped by whether the estimate lies
beyond the horizon the history could check, and by how far the level is from the last value in
the chosen model's typical backtest errors ("distance": under 3, noise alone can carry the series
there; 30 and more, only the trend can). Prints per group the quantiles of ln(true day /
estimate), the coverage of the 80 % interval, and the median ln(estimate / early end).

    python3 scripts/forecast-regimes.py                 # the tuning series
    python3 scripts/forecast-regimes.py held-out        # the held-out ones (do not tune on them)
    BACKTEST_CUTS=40 python3 scripts/forecast-regimes.py  # from 40 cut-offs per series

Last, per series and window, the coverage of the answered cases and of the open intervals of the
cases without an estimate, apart.
"""

import glob
import math
import os
import statistics
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..")
GROUP = sys.argv[1] if len(sys.argv) > 1 else "tuning"


def quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def holds(truth, low, high=math.inf):
    """Whether an interval (days, open when `high` is infinite) held the true day, to the half day."""
    return low <= truth + 0.5 and truth - 0.5 <= high


def main():
    files = sorted(glob.glob(os.path.join(ROOT, "crates/forecast/benches/data", GROUP, "*.csv")))
    run = subprocess.run(
        ["cargo", "run", "-q", "--release", "-p", "forecast", "--example", "backtest", "--", *files],
        cwd=ROOT, env={**os.environ, "BACKTEST_CASES": "1"}, capture_output=True, text=True, check=True,
    )
    cases, none = [], []
    # Per (series, window): [answered, held by the 80 % interval, without an estimate, held].
    split = {}
    for line in run.stderr.splitlines():
        if line.startswith("NONE "):
            _, name, window, _horizon, truth, low80, low95 = line.split()
            none.append((float(truth), float(low80), float(low95)))
            row = split.setdefault((name, int(window)), [0, 0, 0, 0])
            row[2] += 1
            row[3] += holds(float(truth), float(low80))
        if not line.startswith("CASE "):
            continue
        _, name, window, _horizon, truth, est, reach, distance, low, high = line.split()
        truth, est, reach, distance, low, high = map(float, (truth, est, reach, distance, low, high))
        row = split.setdefault((name, int(window)), [0, 0, 0, 0])
        row[0] += 1
        row[1] += holds(truth, low, high)
        if est > 0 and not math.isnan(distance):
            cases.append((name, truth, est, reach, distance, low, high))
    print(f"{GROUP}: {len(cases)} answered cases of positive series")
    print("| estimate | distance | cases | ln(truth/estimate) q10 / q50 / q90 | 80 % coverage | median ln(estimate / early end) | series |")
    print("| --- | --- | ---: | --- | ---: | ---: | ---: |")
    for far in (False, True):
        for lo, hi in ((0, 3), (3, 10), (10, 30), (30, math.inf)):
            group = [c for c in cases if (c[2] > c[3]) == far and lo <= c[4] < hi]
            if not group:
                continue
            ratios = [math.log(c[1] / c[2]) for c in group]
            covered = sum(holds(c[1], c[5], c[6]) for c in group) / len(group)
            width = statistics.median(math.log(c[2] / c[5]) if c[5] > 0 else 9.0 for c in group)
            where = "beyond the checked horizon" if far else "within it"
            print(
                f"| {where} | {lo}-{hi} | {len(group)} | {quantile(ratios, 0.1):+.2f} / {quantile(ratios, 0.5):+.2f} / "
                f"{quantile(ratios, 0.9):+.2f} | {100 * covered:.0f} % | {width:.2f} | {len({c[0] for c in group})} |"
            )


    print("\nThe two kinds of answer per series: answered cases (their 80 % interval) and cases without an estimate (their open one)")
    print("| series | window | answered | 80 % coverage | no estimate | open 80 % interval held |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for (name, window), (a, a_held, n, n_held) in sorted(split.items()):
        answered = f"{100 * a_held / a:.0f} %" if a else "-"
        opened = f"{100 * n_held / n:.0f} %" if n else "-"
        print(f"| {name} | {window} | {a} | {answered} | {n} | {opened} |")

    held = [sum(holds(c[0], c[k]) for c in none) for k in (1, 2)]
    print(
        f"\nwithout an estimate: {len(none)} cases; their open intervals held the truth "
        f"{100 * held[0] / max(1, len(none)):.0f} % (80 %) and {100 * held[1] / max(1, len(none)):.0f} % (95 %); "
        f"{sum(c[1] == math.inf for c in none)} without an interval"
    )


if __name__ == "__main__":
    main()
