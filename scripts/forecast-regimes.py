#!/usr/bin/env python3
"""Where the forecast's 80 % intervals are too wide or too narrow, by regime: the backtest's
answered cases (examples/backtest.rs with BACKTEST_CASES=1) grouped by whether the estimate lies
beyond the horizon the history could check, and by how far the level is from the last value in
the chosen model's typical backtest errors ("distance": under 3, noise alone can carry the series
there; 30 and more, only the trend can). Prints per group the quantiles of ln(true day /
estimate), the coverage of the 80 % interval, and the median ln(estimate / early end).

    python3 scripts/forecast-regimes.py                 # the tuning series
    python3 scripts/forecast-regimes.py held-out        # the held-out ones (do not tune on them)
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


def main():
    files = sorted(glob.glob(os.path.join(ROOT, "crates/forecast/benches/data", GROUP, "*.csv")))
    run = subprocess.run(
        ["cargo", "run", "-q", "--release", "-p", "forecast", "--example", "backtest", "--", *files],
        cwd=ROOT, env={**os.environ, "BACKTEST_CASES": "1"}, capture_output=True, text=True, check=True,
    )
    cases, none = [], []
    for line in run.stderr.splitlines():
        if line.startswith("NONE "):
            _, _name, _window, _horizon, truth, low80, low95 = line.split()
            none.append((float(truth), float(low80), float(low95)))
        if not line.startswith("CASE "):
            continue
        _, name, _window, _horizon, truth, est, reach, distance, low, high = line.split()
        truth, est, reach, distance, low, high = map(float, (truth, est, reach, distance, low, high))
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
            covered = sum(c[5] <= c[1] + 0.5 and c[1] - 0.5 <= c[6] for c in group) / len(group)
            width = statistics.median(math.log(c[2] / c[5]) if c[5] > 0 else 9.0 for c in group)
            where = "beyond the checked horizon" if far else "within it"
            print(
                f"| {where} | {lo}-{hi} | {len(group)} | {quantile(ratios, 0.1):+.2f} / {quantile(ratios, 0.5):+.2f} / "
                f"{quantile(ratios, 0.9):+.2f} | {100 * covered:.0f} % | {width:.2f} | {len({c[0] for c in group})} |"
            )


    held = [sum(low <= truth + 0.5 for truth, low in ((c[0], c[k]) for c in none)) for k in (1, 2)]
    print(
        f"\nwithout an estimate: {len(none)} cases; their open intervals held the truth "
        f"{100 * held[0] / max(1, len(none)):.0f} % (80 %) and {100 * held[1] / max(1, len(none)):.0f} % (95 %); "
        f"{sum(c[1] == math.inf for c in none)} without an interval"
    )


if __name__ == "__main__":
    main()
