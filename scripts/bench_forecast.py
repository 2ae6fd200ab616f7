#!/usr/bin/env python3
"""Fit lifetimes' BetaGeoFitter + GammaGammaFitter on the CSV written by
`cargo run --release --example bench_forecast`, score the same quantities, and compare
times, parameters and scores with the Rust run.

Usage: python3 scripts/bench_forecast.py [bench-out]
lifetimes 0.11.3 is installed into <bench-out>/venv on first use with versions that work
together on Python 3.11 (lifetimes predates pandas 2 / numpy 2 / scipy 1.12 API changes).
"""
import os
import subprocess
import sys
import time

PINS = [
    "numpy==1.26.4",
    "scipy==1.11.4",
    "pandas==1.5.3",
    "autograd==1.6.2",
    "dill==0.3.8",
    "lifetimes==0.11.3",
]

out_dir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "bench-out")
venv = os.path.join(out_dir, "venv")
venv_python = os.path.join(venv, "bin", "python")

if os.path.realpath(sys.prefix) != os.path.realpath(venv):
    if not os.path.exists(venv_python):
        print(f"creating {venv} and installing {' '.join(PINS)}", flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", venv])
        subprocess.check_call([venv_python, "-m", "pip", "install", "-q", *PINS])
    os.execv(venv_python, [venv_python, os.path.abspath(__file__), out_dir])

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from lifetimes import BetaGeoFitter, GammaGammaFitter  # noqa: E402

data = pd.read_csv(os.path.join(out_dir, "summary.csv"))
rust = dict(
    line.strip().split("=", 1)
    for line in open(os.path.join(out_dir, "rust_result.txt"))
    if "=" in line
)
rust = {k: float(v) for k, v in rust.items()}
print(f"lifetimes on {len(data)} customers")

t0 = time.perf_counter()
bgf = BetaGeoFitter(penalizer_coef=0.0)
bgf.fit(data["frequency"], data["recency"], data["T"])
t_bg = time.perf_counter() - t0
print(f"bgnbd fit     {t_bg:9.3f} s  " + " ".join(f"{k}={v:.6f}" for k, v in bgf.params_.items()))

t0 = time.perf_counter()
repeat = data[(data["frequency"] > 0) & (data["monetary_value"] > 0)]
ggf = GammaGammaFitter(penalizer_coef=0.0)
ggf.fit(repeat["frequency"], repeat["monetary_value"])
t_gg = time.perf_counter() - t0
print(f"gamma-gamma   {t_gg:9.3f} s  " + " ".join(f"{k}={v:.6f}" for k, v in ggf.params_.items()))

t0 = time.perf_counter()
f, r, T, m = data["frequency"], data["recency"], data["T"], data["monetary_value"]
scores = pd.DataFrame(
    {
        "p_alive": bgf.conditional_probability_alive(f, r, T),
        "e30": bgf.conditional_expected_number_of_purchases_up_to_time(30, f, r, T),
        "e90": bgf.conditional_expected_number_of_purchases_up_to_time(90, f, r, T),
        "e365": bgf.conditional_expected_number_of_purchases_up_to_time(365, f, r, T),
        "expected_spend": ggf.conditional_expected_average_profit(f, m),
        # 12 months of 30 days at 1 %/month: lifetimes' freq="D" convention
        "clv": ggf.customer_lifetime_value(bgf, f, r, T, m, time=12, discount_rate=0.01, freq="D"),
    }
)
t_score = time.perf_counter() - t0
print(f"score         {t_score:9.3f} s")
total = t_bg + t_gg + t_score

names = ["r", "alpha", "a", "b", "p", "q", "v"]
ours = [rust[k] for k in names]
theirs = [bgf.params_[k] for k in ["r", "alpha", "a", "b"]] + [ggf.params_[k] for k in ["p", "q", "v"]]
rel = [abs(a - b) / abs(b) for a, b in zip(ours, theirs)]
print()
print(f"{'param':6} {'rust':>14} {'lifetimes':>14} {'rel diff':>10}")
for k, a, b, d in zip(names, ours, theirs, rel):
    print(f"{k:6} {a:14.6f} {b:14.6f} {d:10.2e}")
print(f"max relative parameter difference: {max(rel):.2e}")

rs = pd.read_csv(os.path.join(out_dir, "rust_scores.csv"))
for col in rs.columns:
    a, b = rs[col].to_numpy(), scores[col].to_numpy()
    d = np.abs(a - b) / np.maximum(np.abs(b), 1e-9)
    print(f"score {col:15} max relative difference {d.max():.2e}")
print()
print(f"TOTAL lifetimes (fit+score) {total:.3f} s; Rust {rust['seconds']:.3f} s; speed-up {total / rust['seconds']:.1f}x")
