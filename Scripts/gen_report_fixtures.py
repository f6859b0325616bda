#!/usr/bin/env python3
"""Writes Tests/AnalysisTests/Fixtures/report-cases.json: synthetic sweeps and the statistics
`walrus-sim report` must print for them, computed independently with numpy and scipy.

    python3 -m venv /tmp/v && /tmp/v/bin/pip install scipy && /tmp/v/bin/python Scripts/gen_report_fixtures.py

Each case lists runs (run id, seed, sweep parameters as recorded in runs.parameters_json, and a
value, or null for a run without one) and the expected points and differences. Values follow a
common-random-numbers shape: value = seed effect + point effect + small noise, so paired
intervals are much tighter than unpaired ones, as in a real sweep. The data come from a fixed
random.Random seed, so rerunning the script gives the same file (written with numpy 2.4.6, scipy 1.17.1).
"""
import itertools
import json
import math
import random
from pathlib import Path

import numpy as np
from scipy import stats

OUT = Path(__file__).resolve().parent.parent / "Tests/AnalysisTests/Fixtures/report-cases.json"


def summary(xs):
    xs = np.asarray(xs, dtype=float)
    n = len(xs)
    mean = float(np.mean(xs))
    if n < 2:
        return {"n": n, "mean": mean, "sd": None, "ci95_low": None, "ci95_high": None}
    sd = float(np.std(xs, ddof=1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return {"n": n, "mean": mean, "sd": sd, "ci95_low": mean - half, "ci95_high": mean + half}


def welch(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    diff = float(np.mean(b) - np.mean(a))
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    # Cross-check with scipy's own Welch test (its confidence_interval needs scipy >= 1.11).
    ci = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    half = float(stats.t.ppf(0.975, df)) * math.sqrt(va + vb)
    assert abs(ci.low - (diff - half)) < 1e-9 and abs(ci.high - (diff + half)) < 1e-9
    return {"mean_difference": diff, "df": float(df), "ci95_low": diff - half, "ci95_high": diff + half}


def sort_key(values):
    def one(v):
        try:
            return (0, float(v), "")
        except ValueError:
            return (1, 0.0, v)
    return [one(v) for v in values]


def make_case(name, axes, seeds, by, rng, missing=(), point_effect=None):
    runs = []
    seed_effect = {s: rng.gauss(100, 20) for s in seeds}
    keys = list(axes)
    for i, combo in enumerate(itertools.product(*(axes[k] for k in keys))):
        params = dict(zip(keys, combo))
        effect = point_effect(params) if point_effect else 0.0
        for s in seeds:
            rid = f"{name}-{i:02d}-seed{s}"
            value = None if rid in missing else seed_effect[s] + effect + rng.gauss(0, 1)
            runs.append({"run_id": rid, "seed": s, "params": params, "value": value})
    # The expected report, computed the way the Swift code documents it.
    groups = {}
    for r in runs:
        if r["value"] is None:
            continue
        point = tuple(r["params"][k] for k in by)
        pair = (r["seed"],) + tuple(sorted((k, v) for k, v in r["params"].items() if k not in by))
        groups.setdefault(point, {})[pair] = r["value"]
    order = sorted(groups, key=sort_key)
    points = [{"values": list(p), **summary(list(groups[p].values()))} for p in order]
    diffs = []
    base = order[0]
    for p in order[1:]:
        shared = sorted(set(groups[p]) & set(groups[base]))
        d = [groups[p][k] - groups[base][k] for k in shared]
        diffs.append({
            "baseline": list(base), "point": list(p),
            "paired": summary(d) if d else None,
            "unpaired": welch(list(groups[base].values()), list(groups[p].values())),
        })
    return {"name": name, "by": by, "runs": runs, "points": points, "differences": diffs}


def main():
    rng = random.Random(20261130)
    cases = [
        make_case("burn", {"economics.burn_bp": ["0", "300", "1000"]}, [1, 2, 3, 4, 5], ["economics.burn_bp"], rng,
                  point_effect=lambda p: -0.004 * float(p["economics.burn_bp"])),
        make_case("two-axes", {"nodes.count": ["100", "20"], "economics.profile": ["launch", "current"]}, [7, 8, 9, 10],
                  ["nodes.count"], rng, missing={"two-axes-01-seed8"},
                  point_effect=lambda p: 0.05 * float(p["nodes.count"]) + (3 if p["economics.profile"] == "launch" else 0)),
        make_case("both-keys", {"nodes.count": ["100", "20"], "economics.profile": ["launch", "current"]}, [1, 2, 3],
                  ["economics.profile", "nodes.count"], rng,
                  point_effect=lambda p: 0.05 * float(p["nodes.count"])),
        make_case("all-runs", {"network.loss_ppm": ["0", "1000"]}, [1, 2, 3], [], rng),
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"generator": "Scripts/gen_report_fixtures.py", "cases": cases}, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
