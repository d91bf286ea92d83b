#!/usr/bin/env python3
"""Writes the real public series of the forecast backtest to crates/forecast/benches/data/, one
value per line, from the datasets bundled with statsmodels (pip install statsmodels).

    python3 scripts/forecast-series.py

Each series is treated as one point per day by `examples/backtest.rs` (what matters is the
shape: trends, slowdowns, seasonality, noise), as the forecast calibration issue prescribes.
"""

import os

import statsmodels.api as sm

OUT = os.path.join(os.path.dirname(__file__), "..", "crates", "forecast", "benches", "data")


def write(name, values):
    path = os.path.join(OUT, f"{name}.csv")
    with open(path, "w") as f:
        f.write("value\n")
        for v in values:
            f.write("nan\n" if v != v else f"{v}\n")
    print(f"{path}: {len(values)} points")


def main():
    os.makedirs(OUT, exist_ok=True)
    co2 = sm.datasets.co2.load_pandas().data["co2"]
    write("co2-mauna-loa-weekly", list(co2.values))
    macro = sm.datasets.macrodata.load_pandas().data
    for column, name in [
        ("realgdp", "us-real-gdp-quarterly"),
        ("pop", "us-population-quarterly"),
        ("cpi", "us-cpi-quarterly"),
        ("m1", "us-m1-money-quarterly"),
        ("realcons", "us-real-consumption-quarterly"),
        ("realinv", "us-real-investment-quarterly"),
    ]:
        write(name, list(macro[column].values))


if __name__ == "__main__":
    main()
