#!/usr/bin/env python3
"""Draw PNG plots from a walrus-sim results database (schema: Results/README.md).

    Scripts/plot.sh DB [--out DIR] [--run RUN_ID]
    Scripts/plot.sh --self-test
    Scripts/plot.sh --report DB (--metric NAME | --sql QUERY) --by KEY [--by SERIES_KEY] [--out PNG]

plot.sh sets up the virtual environment (pandas, matplotlib) and runs this file with it.
For one run of the database this writes:

    latency_vs_size.png  latency of successful reads and writes against blob size
    availability.png     read success ratio over simulated time, fault windows, nodes up
    wal_flows.png        WAL moved per epoch, by kind of flow

With --report, it draws one metric of a sweep against a swept parameter instead: the mean per
sweep point with its 95% confidence band, from `walrus-sim report --csv` (the binary is
$WALRUS_SIM, else .build/release/walrus-sim). A second --by key draws one line per value of it.
The PNG goes to --out, by default `<db stem>-<metric>-by-<key>.png` next to the database.

By default the PNGs go to `<db stem>-plots/` next to the database (`<db stem>-plots/<run id>/`
when the database holds several runs). The database is opened read-only.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import re
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display needed

import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

NS_PER_S = 1_000_000_000
FROST_PER_WAL = 1_000_000_000
TABLES = ("runs", "nodes", "epochs", "committee", "blobs", "ops", "flows", "metrics", "faults")
# Flows that set up the world (minting, staking) are millions of WAL; the flows of the running
# system are fractions of a WAL. They get their own panel so that the others stay visible.
CAPITAL_FLOW_KINDS = ("mint", "stake", "unstake", "withdraw")
MAX_SCATTER_POINTS = 50_000  # per series; medians always use every operation
DPI = 120


class PlotError(Exception):
    """A problem the user can fix (bad path, not a results database, unknown run)."""


@dataclass
class Run:
    run_id: str
    scenario: str
    seed: int
    status: str
    end_ns: int | None

    @property
    def label(self) -> str:
        status = "" if self.status == "complete" else f", {self.status}"
        return f"{self.scenario}, seed {self.seed}{status}"


@dataclass
class TimeAxis:
    """Simulated time in the unit that suits the run's length."""

    unit: str
    ns: int

    @staticmethod
    def for_length(length_ns: int) -> "TimeAxis":
        if length_ns > 3 * 3600 * NS_PER_S:
            return TimeAxis("h", 3600 * NS_PER_S)
        if length_ns > 5 * 60 * NS_PER_S:
            return TimeAxis("min", 60 * NS_PER_S)
        return TimeAxis("s", NS_PER_S)

    def __call__(self, ns):
        return np.asarray(ns, dtype="float64") / self.ns


# ---------------------------------------------------------------------------------------------
# Reading the database


class ResultsConnection(sqlite3.Connection):
    """A connection that knows which of the schema's tables its database lacks."""

    missing_tables: list[str] = []


def open_database(path: Path) -> ResultsConnection:
    if not path.exists():
        raise PlotError(f"no such file: {path}")
    if not path.is_file():
        raise PlotError(f"not a file: {path}")
    # Read-only: plotting never changes results, and must not create an empty file by mistake.
    uri = "file:" + path.resolve().as_posix().replace("?", "%3f").replace("#", "%23") + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, factory=ResultsConnection)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    except sqlite3.DatabaseError as e:
        if "not a database" in str(e):
            raise PlotError(f"{path} is not an SQLite database ({e})") from None
        # e.g. a WAL-mode database in a read-only directory without its -shm file
        raise PlotError(f"cannot open {path} read-only: {e}") from None
    if "runs" not in names:
        raise PlotError(f"{path} is not a walrus-sim results database (it has no 'runs' table)")
    conn.missing_tables = [t for t in TABLES if t not in names]
    if conn.missing_tables:
        print(f"plot: warning: {path} lacks tables {', '.join(conn.missing_tables)}", file=sys.stderr)
    return conn


def query(conn: sqlite3.Connection, table: str, sql: str, run_id: str) -> pd.DataFrame:
    """Runs `sql` (with a :run parameter); an empty frame when `table` is absent."""
    if table in conn.missing_tables:
        return pd.DataFrame()
    try:
        return pd.read_sql_query(sql, conn, params={"run": run_id})
    except (sqlite3.DatabaseError, pd.errors.DatabaseError) as e:
        raise PlotError(f"cannot read table '{table}': {e} (is this a results database of schema 1?)") from None


def list_runs(conn: sqlite3.Connection) -> list[Run]:
    try:
        rows = conn.execute(
            "SELECT run_id, scenario_name, seed, status, end_ns FROM runs ORDER BY run_id"
        ).fetchall()
    except sqlite3.DatabaseError as e:
        raise PlotError(f"cannot read table 'runs': {e}") from None
    # Seeds use all 64 bits and come back negative from 2^63 on (Results/README.md): show them unsigned.
    return [Run(r[0], r[1], r[2] & 0xFFFF_FFFF_FFFF_FFFF, r[3], r[4]) for r in rows]


def describe_runs(runs: list[Run]) -> str:
    return "\n".join(f"  {r.run_id}  ({r.label})" for r in runs)


def pick_run(runs: list[Run], wanted: str | None, path: Path) -> Run:
    if not runs:
        raise PlotError(f"{path} holds no runs")
    if wanted is not None:
        for r in runs:
            if r.run_id == wanted:
                return r
        raise PlotError(f"no run '{wanted}' in {path}; its runs are:\n{describe_runs(runs)}")
    if len(runs) > 1:
        raise PlotError(f"{path} holds {len(runs)} runs; choose one with --run:\n{describe_runs(runs)}")
    return runs[0]


def run_length_ns(conn: sqlite3.Connection, run: Run) -> int:
    """The run's simulated length: end_ns when complete, else the latest time recorded."""
    if run.end_ns:
        return run.end_ns
    latest = 0
    for table, cols in (("ops", ("start_ns", "end_ns")), ("metrics", ("time_ns",)),
                        ("flows", ("time_ns",)), ("faults", ("start_ns", "end_ns"))):
        if table in conn.missing_tables:
            continue
        for col in cols:
            v = conn.execute(f"SELECT max({col}) FROM {table} WHERE run_id = ?", (run.run_id,)).fetchone()[0]
            latest = max(latest, v or 0)
    return latest


# ---------------------------------------------------------------------------------------------
# Shared drawing helpers


def new_figure(figsize=(11, 6.5)):
    return plt.figure(figsize=figsize, dpi=DPI, layout="constrained")


def title(fig, what: str, run: Run) -> None:
    fig.suptitle(f"{what} — {run.label}", fontsize=13, fontweight="bold")


def no_data(path: Path, what: str, run: Run, reason: str) -> Path:
    fig = new_figure(figsize=(9, 4))
    title(fig, what, run)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, f"no data\n{reason}", ha="center", va="center", fontsize=14, color="0.35",
            transform=ax.transAxes)
    fig.savefig(path)
    plt.close(fig)
    print(f"plot: {path.name}: no data ({reason})", file=sys.stderr)
    return path


def footnote(fig, text: str) -> None:
    # as the figure's x label, so that the constrained layout makes room for it
    fig.supxlabel(text, fontsize=8, color="0.4", x=0.005, ha="left")


def bytes_formatter():
    """Decimal units, to match the powers of ten of the log axis: 1 kB, 10 kB, 100 kB, 1 MB."""
    def fmt(x, _pos):
        for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
            if x >= size:
                return f"{x / size:g} {unit}"
        return f"{x:g} B"

    return mticker.FuncFormatter(fmt)


def seconds_formatter():
    def fmt(x, _pos):
        if x >= 1:
            return f"{x:g} s"
        if x >= 1e-3:
            return f"{x * 1e3:g} ms"
        return f"{x * 1e6:g} µs"

    return mticker.FuncFormatter(fmt)


# ---------------------------------------------------------------------------------------------
# latency_vs_size.png


KIND_STYLE = {"write": ("tab:orange", "s"), "read": ("tab:blue", "o")}


def plot_latency(conn, run: Run, out: Path) -> Path:
    path = out / "latency_vs_size.png"
    what = "Operation latency vs blob size"
    ops = query(conn, "ops", """
        SELECT o.kind, o.outcome, o.start_ns, o.end_ns, o.bytes, o.blob_index, b.size_bytes
        FROM ops AS o LEFT JOIN blobs AS b ON b.run_id = o.run_id AND b.blob_index = o.blob_index
        WHERE o.run_id = :run AND o.kind IN ('read', 'write')""" if "blobs" not in conn.missing_tables else """
        SELECT kind, outcome, start_ns, end_ns, bytes, blob_index, NULL AS size_bytes
        FROM ops WHERE run_id = :run AND kind IN ('read', 'write')""", run.run_id)
    if ops.empty:
        return no_data(path, what, run, "no read or write operations in table 'ops'")

    # The x axis is the blob's unencoded size; a read's `bytes` counts the slivers it fetched,
    # so it is used only for operations without a known blob.
    ops["size"] = ops["size_bytes"].where(ops["size_bytes"].notna(), ops["bytes"]).astype("float64")
    ops["latency_s"] = (ops["end_ns"] - ops["start_ns"]) / NS_PER_S
    ok = ops[(ops["outcome"] == "success") & ops["end_ns"].notna()]
    unsuccessful = len(ops) - len(ok)
    plottable = ok[(ok["latency_s"] > 0) & (ok["size"] > 0)]
    dropped = len(ok) - len(plottable)
    if plottable.empty:
        return no_data(path, what, run, f"no successful read or write with a positive size and latency "
                                        f"({unsuccessful} unsuccessful)")

    fig = new_figure()
    title(fig, what, run)
    ax = fig.add_subplot()
    ax.set_xscale("log")
    ax.set_yscale("log")

    # Size buckets: four per decade, on edges shared by both kinds so the medians line up.
    lo = math.floor(math.log10(plottable["size"].min()) * 4) / 4
    hi = math.ceil(math.log10(plottable["size"].max()) * 4) / 4 + 0.25
    edges = 10 ** np.arange(lo, hi + 1e-9, 0.25)
    centers = np.sqrt(edges[:-1] * edges[1:])
    for kind in ("write", "read"):
        sel = plottable[plottable["kind"] == kind]
        if sel.empty:
            continue
        color, marker = KIND_STYLE[kind]
        shown = sel if len(sel) <= MAX_SCATTER_POINTS else sel.sample(MAX_SCATTER_POINTS, random_state=0)
        ax.scatter(shown["size"], shown["latency_s"], s=14, alpha=0.35, color=color, marker=marker,
                   linewidths=0, rasterized=len(shown) > 5000,
                   label=f"{kind}s ({len(sel):,} successful)")
        bucket = np.clip(np.searchsorted(edges, sel["size"], side="right") - 1, 0, len(centers) - 1)
        med = sel.groupby(bucket)["latency_s"].median()
        ax.plot(centers[med.index], med.values, color=color, lw=2.2, marker=marker, ms=6,
                markeredgecolor="white", label=f"{kind} median per size bucket")

    ax.xaxis.set_major_formatter(bytes_formatter())
    ax.xaxis.set_major_locator(mticker.LogLocator(base=10))
    ax.yaxis.set_major_formatter(seconds_formatter())
    if plottable["latency_s"].max() / plottable["latency_s"].min() < 1e3:  # few decades: label 2 and 5 too
        ax.yaxis.set_minor_locator(mticker.LogLocator(base=10, subs=(2, 5)))
        ax.yaxis.set_minor_formatter(seconds_formatter())
        ax.tick_params(axis="y", which="minor", labelsize=8)
    ax.set_xlabel("blob size, unencoded (bytes, log scale)")
    ax.set_ylabel("latency, start to end (seconds, log scale)")
    ax.grid(True, which="major", alpha=0.4)
    ax.grid(True, which="minor", alpha=0.12)
    ax.legend(loc="best", framealpha=0.9)
    notes = ["successful operations only; buckets are quarter decades of size"]
    if unsuccessful:
        notes.append(f"{unsuccessful:,} unsuccessful or unfinished reads/writes left out")
    if dropped:
        notes.append(f"{dropped:,} with zero size or latency left out")
    no_blob = int(plottable["size_bytes"].isna().sum())
    if no_blob:
        notes.append(f"{no_blob:,} without a known blob placed at their payload bytes")
    footnote(fig, "; ".join(notes))
    fig.savefig(path)
    plt.close(fig)
    return path


# ---------------------------------------------------------------------------------------------
# availability.png


def bucket_width_ns(length_ns: int, reads: int) -> int:
    """A round bucket width: at most ~120 buckets, and ~10 reads per bucket on average."""
    candidates_s = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 3 * 3600,
                    6 * 3600, 12 * 3600, 86400)
    target = max(length_ns / 120, length_ns * 10 / reads if reads else 0)
    for s in candidates_s:
        if s * NS_PER_S >= target:
            return s * NS_PER_S
    return candidates_s[-1] * NS_PER_S


def describe_width(ns: int) -> str:
    s = ns // NS_PER_S
    if s % 3600 == 0:
        return f"{s // 3600} h"
    if s % 60 == 0:
        return f"{s // 60} min"
    return f"{s} s"


def counter_ratio(metrics: pd.DataFrame, edges_ns: np.ndarray) -> pd.Series | None:
    """Read success ratio per bucket from the reads_ok / reads_failed metric series.

    They are cumulative counters when they never decrease; then the reads of a bucket are the
    counter's rise across it. Otherwise each sample is taken as a count for its interval."""
    series = {}
    for name in ("reads_ok", "reads_failed"):
        s = metrics[metrics["name"] == name].sort_values("time_ns")
        if s.empty:
            return None
        values = pd.to_numeric(s["value"], errors="coerce").to_numpy(dtype="float64")
        t = s["time_ns"].to_numpy()
        if np.all(np.diff(values) >= 0):
            # counter value at each bucket edge (last sample at or before it), then differences
            idx = np.searchsorted(t, edges_ns, side="right") - 1
            at_edge = np.where(idx >= 0, values[np.clip(idx, 0, None)], 0.0)
            series[name] = np.diff(at_edge)
        else:
            b = np.clip(np.searchsorted(edges_ns, t, side="right") - 1, 0, len(edges_ns) - 2)
            series[name] = np.bincount(b, weights=values, minlength=len(edges_ns) - 1)
    total = series["reads_ok"] + series["reads_failed"]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(total > 0, series["reads_ok"] / total, np.nan)
    return pd.Series(ratio)


FAULT_COLORS = ("tab:red", "tab:purple", "tab:brown", "tab:olive", "tab:pink", "tab:cyan", "tab:gray")


def shade_faults(axes, faults: pd.DataFrame, tx: TimeAxis, length_ns: int, label_ax) -> list:
    """Shades each fault window on every axis; labels it once on `label_ax`. Returns legend handles."""
    handles = {}
    kinds = list(dict.fromkeys(faults["kind"]))
    color_of = {k: FAULT_COLORS[i % len(FAULT_COLORS)] for i, k in enumerate(kinds)}
    for i, f in enumerate(faults.itertuples(index=False)):
        start = tx(f.start_ns)
        lifted = pd.notna(f.end_ns)
        end = tx(f.end_ns if lifted else max(length_ns, f.start_ns))
        if end <= start:  # an instantaneous fault still gets a visible sliver
            end = start + tx(length_ns) * 0.003
        color = color_of[f.kind]
        for ax in axes:
            span = ax.axvspan(start, end, color=color, alpha=0.13, lw=0, zorder=0)
        handles.setdefault(f.kind, span)
        text = f"{f.kind} {f.target}" + ("" if lifted else " (never lifted)")
        y = 0.97 - 0.09 * (i % 4)  # stagger labels of nearby faults
        # label from the start of the window, or back from its end when it starts far to the right
        near_end = start > 0.6 * tx(length_ns)
        label_ax.text(end if near_end else start, y, f" {text} ", transform=label_ax.get_xaxis_transform(),
                      fontsize=8.5, color=color, va="top", ha="right" if near_end else "left", clip_on=True,
                      bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.75))
    return [(h, f"fault: {k}") for k, h in handles.items()]


def plot_availability(conn, run: Run, out: Path, length_ns: int) -> Path:
    path = out / "availability.png"
    what = "Read availability over time"
    reads = query(conn, "ops", "SELECT start_ns, outcome FROM ops WHERE run_id = :run AND kind = 'read'",
                  run.run_id)
    metrics = query(conn, "metrics", """
        SELECT name, time_ns, value FROM metrics WHERE run_id = :run
          AND name IN ('reads_ok', 'reads_failed', 'reads_available_ratio', 'nodes_up', 'faulty_shards')
        ORDER BY seq""", run.run_id)
    faults = query(conn, "faults", "SELECT start_ns, end_ns, kind, target FROM faults WHERE run_id = :run ORDER BY seq",
                   run.run_id)
    epochs = query(conn, "epochs", "SELECT epoch, start_ns FROM epochs WHERE run_id = :run ORDER BY epoch",
                   run.run_id)
    if reads.empty and metrics.empty:
        return no_data(path, what, run, "no reads in 'ops' and no read or node metrics in 'metrics'")

    length_ns = max(length_ns, 1)
    tx = TimeAxis.for_length(length_ns)
    finished = reads[reads["outcome"] != "unfinished"]
    width = bucket_width_ns(length_ns, len(finished))
    n_buckets = max(1, math.ceil(length_ns / width))
    edges = np.arange(n_buckets + 1, dtype="int64") * width
    mids = tx((edges[:-1] + edges[1:]) / 2)

    has_nodes = not metrics.empty and metrics["name"].isin(["nodes_up", "faulty_shards"]).any()
    fig = new_figure(figsize=(11, 7.5 if has_nodes else 5.5))
    title(fig, what, run)
    if has_nodes:
        ax, ax_nodes = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    else:
        ax, ax_nodes = fig.add_subplot(), None
    axes = [a for a in (ax, ax_nodes) if a is not None]

    handles = []
    if not finished.empty:
        b = np.clip(np.searchsorted(edges, finished["start_ns"].to_numpy(), side="right") - 1, 0, n_buckets - 1)
        total = np.bincount(b, minlength=n_buckets)
        good = np.bincount(b, weights=(finished["outcome"] == "success").to_numpy(dtype="float64"),
                           minlength=n_buckets)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(total > 0, good / total, np.nan)
        h = ax.step(mids, ratio * 100, where="mid", color="tab:blue", lw=2,
                    label=f"reads that succeeded, by start time ({len(finished):,} reads)")[0]
        ax.plot(mids, ratio * 100, "o", color="tab:blue", ms=3.5)
        handles.append((h, h.get_label()))
        ax_count = ax.twinx()
        bars = ax_count.bar(mids, total, width=tx(width) * 0.9, color="tab:blue", alpha=0.12, zorder=0,
                            label="reads started per bucket (right axis)")
        ax_count.set_ylabel(f"reads started per {describe_width(width)}")
        ax_count.set_ylim(0, max(1, total.max()) * 3)  # keep the bars low, under the ratio line
        ax_count.yaxis.set_major_locator(mticker.MaxNLocator(4, integer=True))
        ax.set_zorder(ax_count.get_zorder() + 1)
        ax.patch.set_visible(False)
        handles.append((bars, bars.get_label()))
    if not metrics.empty:
        m_ratio = counter_ratio(metrics, edges)
        if m_ratio is not None and m_ratio.notna().any():
            h = ax.step(mids, m_ratio * 100, where="mid", color="0.15", lw=1.2, ls="--",
                        label="reads_ok / (reads_ok + reads_failed) from metrics")[0]
            handles.append((h, h.get_label()))
        avail = metrics[metrics["name"] == "reads_available_ratio"]
        if not avail.empty:
            values = pd.to_numeric(avail["value"], errors="coerce")
            scale = 100 if values.max() <= 1.0 else 1  # a ratio, or already percent
            h = ax.plot(tx(avail["time_ns"]), values * scale, color="tab:cyan", lw=1.2,
                        label="reads_available_ratio metric")[0]
            handles.append((h, h.get_label()))
    unfinished = len(reads) - len(finished)
    if not handles:
        ax.text(0.5, 0.5, "no reads", transform=ax.transAxes, ha="center", va="center", color="0.4")
    ax.set_ylim(-3, 110)
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(decimals=0))
    ax.set_ylabel(f"read success ratio per {describe_width(width)} (%)")
    ax.grid(True, alpha=0.3)

    if ax_nodes is not None:
        right = ax_nodes.twinx()
        for name, target, color in (("nodes_up", ax_nodes, "tab:green"), ("faulty_shards", right, "tab:red")):
            s = metrics[metrics["name"] == name]
            if s.empty:
                target.set_yticks([])
                continue
            v = pd.to_numeric(s["value"], errors="coerce")
            h = target.step(tx(s["time_ns"]), v, where="post", color=color, lw=1.8,
                            label=f"{name.replace('_', ' ')} ({'left' if target is ax_nodes else 'right'} axis)")[0]
            # nodes up in the upper part of the panel, faulty shards in the lower half, so that
            # the two lines do not sit on top of each other
            target.set_ylim(min(0, v.min()), max(1, v.max()) * (1.1 if name == "nodes_up" else 2.2))
            target.yaxis.set_major_locator(mticker.MaxNLocator(6, integer=True))
            target.set_ylabel(name.replace("_", " ") + " (count)", color=color)
            target.tick_params(axis="y", colors=color)
            handles.append((h, h.get_label()))
        ax_nodes.grid(True, alpha=0.3)

    for e in epochs.itertuples(index=False):
        if e.start_ns > 0:
            for a in axes:
                a.axvline(tx(e.start_ns), color="0.3", ls=":", lw=1)
            ax.text(tx(e.start_ns), 1.0, f" epoch {e.epoch}", transform=ax.get_xaxis_transform(),
                    fontsize=8, color="0.3", va="bottom", ha="center")
    if not faults.empty:
        handles += shade_faults(axes, faults, tx, length_ns, ax)

    axes[-1].set_xlabel(f"simulated time ({tx.unit})")
    axes[-1].set_xlim(0, tx(length_ns))
    # below the time axis; as a legend of the axes the constrained layout makes room for it
    axes[-1].legend(*zip(*handles), loc="upper center", bbox_to_anchor=(0.5, 0),
                    borderaxespad=4.2, ncol=3, fontsize=8.5, frameon=False)
    notes = [f"ratio = successful / finished reads started in each {describe_width(width)} bucket; "
             "empty buckets have no point"]
    if unfinished:
        notes.append(f"reads unfinished at the end, left out: {unfinished:,}")
    footnote(fig, "; ".join(notes))
    fig.savefig(path)
    plt.close(fig)
    return path


# ---------------------------------------------------------------------------------------------
# wal_flows.png


def wal_formatter():
    def fmt(x, _pos):
        a = abs(x)
        if a == 0:
            return "0"
        if a >= 1e9:
            return f"{x / 1e9:g} G"
        if a >= 1e6:
            return f"{x / 1e6:g} M"
        if a >= 1e3:
            return f"{x / 1e3:g} k"
        return f"{x:g}"

    return mticker.FuncFormatter(fmt)


def kind_colors(kinds) -> dict:
    cmap = plt.get_cmap("tab20")
    return {k: cmap(i % 20) for i, k in enumerate(sorted(kinds))}


def stacked_bars(ax, table: pd.DataFrame, colors: dict, width=0.7):
    bottom = np.zeros(len(table))
    x = np.arange(len(table))
    for kind in table.columns:
        v = table[kind].to_numpy(dtype="float64")
        ax.bar(x, v, width, bottom=bottom, color=colors[kind], label=kind, edgecolor="white", linewidth=0.5)
        bottom += v
    ax.set_xticks(x, [str(e) for e in table.index])
    return bottom


def flow_label(flows: pd.DataFrame, kind: str) -> str:
    """Legend text with the kind's total, so that kinds too small to see in a bar still show."""
    sel = flows[flows["kind"] == kind]
    n = int(sel["n"].sum())
    total = sel["wal"].sum()
    amount = wal_formatter()(total, None) if total >= 1e3 else f"{total:.3g}"
    return f"{kind}: {amount} WAL in {n:,} flow{'s' if n != 1 else ''}"


def plot_flows(conn, run: Run, out: Path) -> Path:
    path = out / "wal_flows.png"
    what = "WAL flows per epoch"
    flows = query(conn, "flows", """
        SELECT epoch, kind, count(*) AS n, sum(amount_frost) AS frost
        FROM flows WHERE run_id = :run GROUP BY epoch, kind ORDER BY epoch, kind""", run.run_id)
    if flows.empty:
        return no_data(path, what, run, "no rows in table 'flows'")
    flows["wal"] = flows["frost"].astype("float64") / FROST_PER_WAL
    capital = flows[flows["kind"].isin(CAPITAL_FLOW_KINDS)]
    operating = flows[~flows["kind"].isin(CAPITAL_FLOW_KINDS)]
    epochs = range(int(flows["epoch"].min()), int(flows["epoch"].max()) + 1)
    colors = kind_colors(flows["kind"].unique())

    fig = new_figure(figsize=(12, 6.5))
    title(fig, what, run)
    if not capital.empty and not operating.empty:
        ax, ax_cap = fig.subplots(1, 2, width_ratios=(3, 1))
    elif not capital.empty:
        ax, ax_cap = None, fig.add_subplot()
    else:
        ax, ax_cap = fig.add_subplot(), None

    if ax is not None:
        table = operating.pivot_table(index="epoch", columns="kind", values="wal", aggfunc="sum", fill_value=0.0)
        table = table.reindex(epochs, fill_value=0.0)
        # largest kinds at the bottom of each stack, so the small ones sit on top where they show
        table = table[table.sum().sort_values(ascending=False).index]
        totals = stacked_bars(ax, table, colors)
        for x, t in enumerate(totals):
            if t > 0:
                ax.text(x, t, f"{t:.4g} WAL", ha="center", va="bottom", fontsize=8.5)
        ax.set_ylim(0, max(totals.max(), 1e-12) * 1.12)
        ax.set_xlabel("epoch")
        ax.set_ylabel("WAL moved (sum of flow amounts, WAL)")
        ax.set_title("running system" + (f" (without {', '.join(sorted(capital['kind'].unique()))}: see right)"
                                         if not capital.empty else ""), fontsize=10)
        ax.yaxis.set_major_formatter(wal_formatter())
        ax.grid(True, axis="y", alpha=0.3)
        # legend entries in stacking order, top of the stack first
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], [flow_label(operating, k) for k in labels[::-1]], fontsize=8.5,
                  loc="upper left", framealpha=0.9)
    if ax_cap is not None:
        table = capital.pivot_table(index="epoch", columns="kind", values="wal", aggfunc="sum", fill_value=0.0)
        table = table[[k for k in CAPITAL_FLOW_KINDS if k in table.columns]]
        totals = stacked_bars(ax_cap, table, colors, width=0.6)
        ax_cap.set_ylim(0, totals.max() * 1.12)
        ax_cap.set_xlabel("epoch")
        ax_cap.set_ylabel("WAL (sum of flow amounts, WAL)")
        ax_cap.set_title("genesis and staking\n(" + ", ".join(table.columns) + ")", fontsize=10)
        ax_cap.yaxis.set_major_formatter(wal_formatter())
        ax_cap.grid(True, axis="y", alpha=0.3)
        h, labels = ax_cap.get_legend_handles_labels()
        ax_cap.legend(h[::-1], [flow_label(capital, k) for k in labels[::-1]], fontsize=8.5,
                      loc="upper right", framealpha=0.9)
    footnote(fig, "1 WAL = 10^9 FROST; bars stack every flow of the epoch by kind, so money that moves "
                  "twice (paid in, then paid out) counts twice")
    fig.savefig(path)
    plt.close(fig)
    return path


# ---------------------------------------------------------------------------------------------
# Entry points


def default_out(db: Path, run: Run, run_count: int) -> Path:
    out = db.parent / f"{db.stem}-plots"
    if run_count > 1:
        out = out / re.sub(r"[^A-Za-z0-9._-]", "_", run.run_id)
    return out


def plot_database(db: Path, out: Path | None, run_id: str | None) -> list[Path]:
    conn = open_database(db)
    try:
        runs = list_runs(conn)
        run = pick_run(runs, run_id, db)
        if run.status != "complete":
            print(f"plot: warning: run {run.run_id} is {run.status}; plotting what it recorded",
                  file=sys.stderr)
        out = out if out is not None else default_out(db, run, len(runs))
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise PlotError(f"cannot create output directory {out}: {e}") from None
        length = run_length_ns(conn, run)
        return [plot_latency(conn, run, out), plot_availability(conn, run, out, length),
                plot_flows(conn, run, out)]
    finally:
        conn.close()


def plot_report(db: Path, metric: str | None, sql: str | None, by: list[str], out: Path | None) -> Path:
    """Runs `walrus-sim report --csv` and draws mean and 95% CI of the metric against by[0]."""
    import os
    import subprocess

    if not 1 <= len(by) <= 2:
        raise PlotError("--report needs one --by key path (the x axis), optionally a second (one line per value)")
    binary = os.environ.get("WALRUS_SIM") or str(Path(__file__).resolve().parent.parent / ".build/release/walrus-sim")
    cmd = [binary, "report", str(db), "--csv", *(["--metric", metric] if metric else ["--sql", sql])]
    for key in by:
        cmd += ["--by", key]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        raise PlotError(f"cannot run {binary} (build it, or set WALRUS_SIM): {e}") from e
    if proc.returncode != 0:
        raise PlotError(proc.stderr.strip().removeprefix("Error: "))
    table = pd.read_csv(io.StringIO(proc.stdout), dtype={key: str for key in by})
    x_key = by[0]
    numeric = pd.to_numeric(table[x_key], errors="coerce")
    categorical = numeric.isna().any()
    labels = list(dict.fromkeys(table[x_key]))
    table["_x"] = [labels.index(v) for v in table[x_key]] if categorical else numeric
    name = metric or "sql"
    fig, ax = plt.subplots(figsize=(7, 4.5))
    series = [(None, table)] if len(by) == 1 else list(table.groupby(by[1], sort=False))
    for label, part in series:
        part = part.sort_values("_x")
        line, = ax.plot(part["_x"], part["mean"], marker="o", label=None if label is None else f"{by[1]} = {label}")
        ax.fill_between(part["_x"], part["ci95_low"], part["ci95_high"], color=line.get_color(), alpha=0.2, linewidth=0)
    if categorical:
        ax.set_xticks(range(len(labels)), labels, rotation=20, ha="right")
    ax.set_xlabel(x_key)
    ax.set_ylabel(f"{name} (mean, 95% CI)")
    n = ", ".join(sorted({str(v) for v in table["n"]}))
    ax.set_title(f"{name} by {x_key} (n = {n} runs per point)")
    ax.grid(True, alpha=0.3)
    if len(by) == 2:
        ax.legend()
    out = out or db.with_name(f"{db.stem}-{name}-by-{x_key}.png")
    fig.tight_layout()
    fig.savefig(out, dpi=DPI)
    plt.close(fig)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="plot", description="Draw PNG plots (latency vs size, availability, WAL flows) "
                                 "from a walrus-sim results database.")
    parser.add_argument("db", nargs="?", type=Path, help="results database (.sqlite)")
    parser.add_argument("--out", type=Path, help="output directory (default: <db stem>-plots/ next to the database)")
    parser.add_argument("--run", help="run id to plot (needed when the database holds several runs)")
    parser.add_argument("--report", type=Path, metavar="DB",
                        help="draw a sweep's metric against a swept parameter (see --metric, --sql, --by)")
    parser.add_argument("--metric", help="with --report: a named metric of walrus-sim report")
    parser.add_argument("--sql", help="with --report: SQL returning (run_id, value)")
    parser.add_argument("--by", action="append", default=[], help="with --report: the swept key path (x axis); twice: series")
    parser.add_argument("--self-test", action="store_true",
                        help="plot a small synthetic database in a temporary directory and check the results")
    args = parser.parse_args(argv)
    if args.self_test:
        return self_test()
    if args.report is not None:
        if (args.metric is None) == (args.sql is None):
            parser.error("--report needs exactly one of --metric and --sql")
        try:
            print(plot_report(args.report, args.metric, args.sql, args.by, args.out))
        except PlotError as e:
            print(f"plot: error: {e}", file=sys.stderr)
            return 1
        return 0
    if args.db is None:
        parser.error("the database path is required (or --self-test)")
    try:
        written = plot_database(args.db, args.out, args.run)
    except PlotError as e:
        print(f"plot: error: {e}", file=sys.stderr)
        return 1
    for p in written:
        print(p)
    return 0


# ---------------------------------------------------------------------------------------------
# Self-test: a tiny synthetic database with the schema's tables (the columns this script reads)


SELF_TEST_SCHEMA = """
CREATE TABLE runs (run_id TEXT NOT NULL PRIMARY KEY, scenario_name TEXT NOT NULL, seed INTEGER NOT NULL,
    status TEXT NOT NULL, end_ns INTEGER) STRICT, WITHOUT ROWID;
CREATE TABLE nodes (run_id TEXT NOT NULL, node_id INTEGER NOT NULL, PRIMARY KEY (run_id, node_id)) STRICT, WITHOUT ROWID;
CREATE TABLE committee (run_id TEXT NOT NULL, epoch INTEGER NOT NULL, node_id INTEGER NOT NULL,
    PRIMARY KEY (run_id, epoch, node_id)) STRICT, WITHOUT ROWID;
CREATE TABLE epochs (run_id TEXT NOT NULL, epoch INTEGER NOT NULL, start_ns INTEGER NOT NULL,
    PRIMARY KEY (run_id, epoch)) STRICT, WITHOUT ROWID;
CREATE TABLE blobs (run_id TEXT NOT NULL, blob_index INTEGER NOT NULL, size_bytes INTEGER NOT NULL,
    PRIMARY KEY (run_id, blob_index)) STRICT, WITHOUT ROWID;
CREATE TABLE ops (run_id TEXT NOT NULL, op_id INTEGER NOT NULL, kind TEXT NOT NULL, blob_index INTEGER,
    start_ns INTEGER NOT NULL, end_ns INTEGER, outcome TEXT NOT NULL, bytes INTEGER NOT NULL,
    PRIMARY KEY (run_id, op_id)) STRICT, WITHOUT ROWID;
CREATE TABLE flows (run_id TEXT NOT NULL, seq INTEGER NOT NULL, epoch INTEGER NOT NULL, time_ns INTEGER NOT NULL,
    kind TEXT NOT NULL, amount_frost INTEGER NOT NULL, PRIMARY KEY (run_id, seq)) STRICT, WITHOUT ROWID;
CREATE TABLE metrics (run_id TEXT NOT NULL, seq INTEGER NOT NULL, name TEXT NOT NULL, time_ns INTEGER NOT NULL,
    value ANY NOT NULL, PRIMARY KEY (run_id, seq)) STRICT, WITHOUT ROWID;
CREATE TABLE faults (run_id TEXT NOT NULL, seq INTEGER NOT NULL, start_ns INTEGER NOT NULL, kind TEXT NOT NULL,
    target TEXT NOT NULL, end_ns INTEGER, PRIMARY KEY (run_id, seq)) STRICT, WITHOUT ROWID;
"""


def build_self_test_db(path: Path) -> None:
    rng = np.random.default_rng(7)
    s = NS_PER_S
    length = 3600 * s
    conn = sqlite3.connect(path)
    conn.executescript(SELF_TEST_SCHEMA)
    conn.execute("INSERT INTO runs VALUES ('full', 'selftest', -1, 'complete', ?)", (length,))
    conn.execute("INSERT INTO runs VALUES ('empty', 'selftest-empty', 3, 'incomplete', NULL)")
    conn.executemany("INSERT INTO epochs VALUES ('full', ?, ?)", [(1, 0), (2, 1800 * s)])
    sizes = np.exp(rng.uniform(np.log(300), np.log(2e6), 40)).astype(int)
    conn.executemany("INSERT INTO blobs VALUES ('full', ?, ?)", [(i, int(v)) for i, v in enumerate(sizes)])
    ops, op_id = [], 0
    for i, size in enumerate(sizes):  # one write per blob, then reads, some failing in the fault
        start = int(rng.uniform(0, 600)) * s
        ops.append(("full", op_id, "write", i, start, start + int((2 + size / 3e5) * s), "success", int(size)))
        op_id += 1
    for _ in range(200):
        i = int(rng.integers(len(sizes)))
        start = int(rng.uniform(600, 3590) * s)
        failed = 1500 * s <= start < 2100 * s and rng.random() < 0.6
        outcome = "failure" if failed else "success"
        ops.append(("full", op_id, "read", i, start, start + int(rng.uniform(0.2, 3) * s), outcome, int(sizes[i])))
        op_id += 1
    ops.append(("full", op_id, "read", 0, 3595 * s, None, "unfinished", 0))
    ops.append(("full", op_id + 1, "delete", 1, 100 * s, 101 * s, "success", 0))
    conn.executemany("INSERT INTO ops VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ops)
    flows = [(0, 0, "mint", 10**9 * 10**9), (0, 0, "stake", 5 * 10**8 * 10**9)]
    for epoch in (1, 2):
        flows += [(epoch, 1, "storage_payment", 3 * 10**7), (epoch, 2, "write_payment", 10**6),
                  (epoch, 3, "reward", 2 * 10**7), (epoch, 4, "burn", 10**5)]
    conn.executemany("INSERT INTO flows VALUES ('full', ?, ?, ?, ?, ?)",
                     [(seq, *f) for seq, f in enumerate(flows)])
    metrics, seq, ok = [], 0, 0
    for t in range(0, 3601, 60):
        down = 1500 <= t < 2100
        ok += 3
        for name, value in (("nodes_up", 9 if down else 10), ("faulty_shards", 4 if down else 0),
                            ("reads_ok", ok), ("reads_failed", 2 * (t >= 1500))):
            metrics.append(("full", seq, name, t * s, value))
            seq += 1
    conn.executemany("INSERT INTO metrics VALUES (?, ?, ?, ?, ?)", metrics)
    conn.executemany("INSERT INTO faults VALUES ('full', ?, ?, ?, ?, ?)",
                     [(0, 1500 * s, "crash", "node:3", 2100 * s), (1, 3000 * s, "partition", "region:eu-west", None)])
    conn.commit()
    conn.close()


def self_test() -> int:
    failures = []

    def check(ok: bool, what: str) -> None:
        print(("ok    " if ok else "FAIL  ") + what)
        if not ok:
            failures.append(what)

    def error_of(*argv) -> str:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main([str(a) for a in argv])
        return err.getvalue() if code != 0 else ""

    with tempfile.TemporaryDirectory(prefix="walrus-plot-selftest-") as tmp:
        tmp = Path(tmp)
        db = tmp / "selftest.sqlite"
        build_self_test_db(db)
        names = ("latency_vs_size.png", "availability.png", "wal_flows.png")
        for run_id in ("full", "empty"):
            out = tmp / f"out-{run_id}"
            try:
                with contextlib.redirect_stderr(io.StringIO()):  # the empty run's "no data" notes
                    written = plot_database(db, out, run_id)
            except Exception as e:  # noqa: BLE001 - report any crash as a failure
                check(False, f"run '{run_id}': plotting raised {type(e).__name__}: {e}")
                continue
            check([p.name for p in written] == list(names), f"run '{run_id}': writes the three plots")
            for name in names:
                p = out / name
                good = p.is_file() and p.stat().st_size > 1000 and p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
                check(good, f"run '{run_id}': {name} is a PNG")
        check("choose one with --run" in error_of(db),
              "two runs without --run: error listing the runs")
        check("no run 'nope'" in error_of(db, "--run", "nope"), "unknown --run: clear error")
        check("no such file" in error_of(tmp / "missing.sqlite"), "missing file: clear error")
        other = tmp / "other.sqlite"
        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
        check("not a walrus-sim results database" in error_of(other), "database without 'runs': clear error")
        junk = tmp / "junk.sqlite"
        junk.write_bytes(b"this is not sqlite at all, just some text that is long enough" * 4)
        check("not an SQLite database" in error_of(junk), "file that is not SQLite: clear error")
        check(not (tmp / "missing.sqlite").exists(), "a missing database is not created")
    if failures:
        print(f"self-test: {len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("self-test: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
