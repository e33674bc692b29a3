#!/usr/bin/python3
"""aero analyze: metrics, tables and plots from results folders.

usage: aero analyze [--out DIR] [--no-plots] [--no-pcap] [--tol KIND=X ...] A [B]

  A              one results folder: the report of its metrics
  A B            two results folders (sim vs emu, or two commits): side by side,
                 the differences, which exceed the tolerance
  A (a sweep)    a folder written by `aero sweep`: every run analysed, mean and
                 95 % confidence interval per combination, metric vs parameter

Output: analysis/ inside A (or --out DIR): summary.json, *.csv, *.png, and
report.md for a comparison or a sweep; a text report on stdout.
Exit status: 0 ok, 1 a folder holds no usable results, 2 usage.
See analysis/README.md for the metric definitions and the tolerances.
"""
import argparse
import csv
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aero_metrics as am  # noqa: E402

# Tolerances of a comparison, by kind of metric: a difference B - A is
# flagged when it exceeds the tolerance (A is the reference, the first folder)
TOLERANCES = {
    "latency": ("rel", 0.20),       # PD latency, one-way delay, RTT
    "interruption": ("rel", 0.20),  # handover interruption (and abs 0.010 s)
    "ratio": ("abs", 0.05),         # delivery ratio
    "ratio_rel": ("rel", 0.20),     # path stretch
    "rate": ("rel", 0.20),          # goodput
    "count": ("rel", 0.20),         # packets, bindings, events
}
INTERRUPTION_ABS_FLOOR = 0.010  # s: smaller interruption differences never flagged

_plt = None


def plt():
    global _plt
    if _plt is None:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as p
            _plt = p
        except ImportError:
            _plt = False
    return _plt


def fmt(v, kind=None):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if kind in ("latency", "interruption"):
        return "%.1f ms" % (v * 1e3)
    if kind == "rate":
        return "%.2f Mbit/s" % (v / 1e6)
    if kind in ("ratio", "ratio_rel"):
        return "%.3f" % v
    if abs(v) >= 1000:
        return "%.0f" % v
    return "%.4g" % v


def write_csv(path, rows, cols=None):
    if not rows:
        return False
    cols = cols or list(rows[0].keys())
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: (json.dumps(v) if isinstance(v, (list, dict)) else v)
                        for k, v in r.items()})
    return True


def scen_time(m):
    return m["run"].get("time_scale") or 1.0


def moves_of(tables):
    return tables.get("moves", [])


# ---------------------------------------------------------------------------
# plots of one folder

def _mark_moves(ax, moves, ts=1.0, label=True):
    for i, mv in enumerate(moves):
        ax.axvline(mv["t"] / ts, color="tab:red", ls="--", lw=1.2,
                   label=("handover (move)" if label and i == 0 else None))
        ax.annotate("move %s\n%s\u2192%s" % (mv["node"], mv.get("from") or "?", mv.get("to") or "?"),
                    xy=(mv["t"] / ts, 0.97), xycoords=("data", "axes fraction"), va="top",
                    xytext=(4, 0), textcoords="offset points", fontsize=7, color="tab:red")


def plot_one(out, m, tables, files):
    p = plt()
    if not p:
        return
    title = "%s (%s, seed %s)" % (m["run"].get("scenario"), m["run"].get("backend"), m["run"].get("seed"))
    flows = m.get("flows") or {}
    bins = tables.get("flow_bins") or []
    moves = moves_of(tables)
    if flows:
        keys = sorted(flows, key=int)
        fig, axes = p.subplots(len(keys), 1, figsize=(10, 2.6 * len(keys) + 0.6), sharex=True, squeeze=False)
        for ax, k in zip(axes[:, 0], keys):
            f = flows[k]
            rows = [r for r in bins if r["flow"] == int(k)]
            name = "flow %s: %s %s \u2192 %s" % (k, f["type"], f.get("from"), f.get("to"))
            if f["type"] == "tcp_bulk":
                ax.plot([r["t"] for r in rows], [r["goodput_bps"] / 1e6 for r in rows],
                        drawstyle="steps-post", color="tab:blue", label="goodput")
                ax.set_ylabel("goodput (Mbit/s)")
            else:
                ax.plot([r["t"] for r in rows], [r["pdr"] for r in rows],
                        drawstyle="steps-post", color="tab:blue", marker=".", ms=3,
                        label="delivery ratio (1 s bins by send time)")
                ax.set_ylim(-0.05, 1.1)
                ax.set_ylabel("delivery ratio")
            ax.set_title(name, fontsize=9, loc="left")
            _mark_moves(ax, moves)
            ax.grid(alpha=0.3)
            if not rows:
                ax.text(0.5, 0.5, "no packets with a time", transform=ax.transAxes, ha="center")
            ax.legend(fontsize=7, loc="lower right")
        axes[-1, 0].set_xlabel("time since the start of the run (s)")
        fig.suptitle("Delivery over time with handovers: " + title)
        fig.tight_layout()
        fig.savefig(os.path.join(out, "delivery.png"), dpi=110)
        p.close(fig)
        files.append("delivery.png")
        # latency CDFs
        dl = tables.get("_delays") or {}
        rt = tables.get("_rtts") or {}
        if any(dl.values()) or any(rt.values()):
            fig, ax = p.subplots(figsize=(8, 4.5))
            for src, what, ls in ((dl, "one-way delay", "-"), (rt, "RTT", "--")):
                for k in sorted(src, key=int):
                    f = flows[str(k)]
                    v = sorted(x * 1e3 for x in src[k])
                    ax.plot(v, [(i + 1) / len(v) for i in range(len(v))], drawstyle="steps-post", ls=ls,
                            label="flow %s %s %s\u2192%s %s (n=%d)" % (k, f["type"], f["from"], f["to"], what, len(v)))
            ax.set_xlabel("one-way latency, or round-trip time for ping (ms)")
            ax.set_ylabel("fraction of packets \u2264 x (CDF)")
            ax.set_title("Latency CDFs: " + title)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8, loc="lower right")
            fig.tight_layout()
            fig.savefig(os.path.join(out, "latency_cdf.png"), dpi=110)
            p.close(fig)
            files.append("latency_cdf.png")
    c = m.get("control")
    if c and c.get("by_type"):
        bt = sorted(c["by_type"].items(), key=lambda kv: kv[1]["packets"])
        fig, (a1, a2) = p.subplots(1, 2, figsize=(11, 0.35 * len(bt) + 1.8), sharey=True)
        names = [k for k, _ in bt]
        a1.barh(names, [v["packets"] for _, v in bt], color="tab:blue")
        a1.set_xlabel("packets sent")
        from matplotlib.ticker import MaxNLocator
        a1.xaxis.set_major_locator(MaxNLocator(integer=True))
        src = c.get("source")
        if src == "pcap":
            a2.barh(names, [v["bytes"] for _, v in bt], color="tab:orange", label="inner IPv6 bytes")
            a2.barh(names, [v["wire_bytes"] for _, v in bt], color="none", edgecolor="k",
                    label="bytes on the wire (outer frame)")
            a2.set_xlabel("bytes sent")
            a2.legend(fontsize=7, loc="lower right")
        else:
            a2.text(0.5, 0.5, "bytes by type need pcaps\n(total from counters: %s bytes)"
                    % c.get("counters_bytes"), transform=a2.transAxes, ha="center", va="center")
            a2.set_xlabel("bytes sent")
        for a in (a1, a2):
            a.grid(axis="x", alpha=0.3)
        fig.suptitle("Control overhead by message type (all nodes, source: %s): %s" % (src, title), fontsize=10)
        fig.tight_layout()
        fig.savefig(os.path.join(out, "overhead.png"), dpi=110)
        p.close(fig)
        files.append("overhead.png")
    b = tables.get("bindings")
    if b is not None and m.get("bindings"):
        fig, ax = p.subplots(figsize=(9, 3.5))
        end = m["run"].get("duration_s") or max([r["t"] for r in b] or [1])
        for s in sorted(m["bindings"]["final"]):
            rows = [r for r in b if r["server"] == s]
            xs = [0.0] + [r["t"] for r in rows] + [end]
            ys = [0] + [r["bindings"] for r in rows] + [rows[-1]["bindings"] if rows else 0]
            ax.step(xs, ys, where="post", label="server %s" % s)
        _mark_moves(ax, moves)
        ax.set_xlabel("time since the start of the run (s)")
        ax.set_ylabel("active bindings")
        from matplotlib.ticker import MaxNLocator
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title("Server binding counts over time: " + title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(out, "bindings.png"), dpi=110)
        p.close(fig)
        files.append("bindings.png")


# ---------------------------------------------------------------------------
# one folder

def analyse_one(folder, out, plots=True, use_pcap=True):
    m, tables, notes = am.compute(folder, use_pcap=use_pcap)
    os.makedirs(out, exist_ok=True)
    files = ["summary.json"]
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(m, f, indent=1)
    for name, cols in (("prefix_delegation", None), ("flows", None),
                       ("flow_bins", ["flow", "t", "tx", "rx", "pdr", "delay_mean_s", "goodput_bps"]),
                       ("handovers", None), ("control", ["node", "type", "packets", "bytes", "wire_bytes"]),
                       ("bindings", None)):
        rows = tables.get(name)
        if rows and name == "flows":
            cols = sorted({k for r in rows for k in r}, key=lambda k: (k not in ("flow", "type", "from", "to"), k))
        if rows and write_csv(os.path.join(out, name + ".csv"), am.clean(rows), cols):
            files.append(name + ".csv")
    if plots:
        if plt():
            plot_one(out, m, tables, files)
        else:
            notes.append("matplotlib not installed (Debian: python3-matplotlib): no plots")
    return m, tables, files


def text_report(m, files, out):
    L = []
    w = L.append
    r = m["run"]
    ts = r.get("time_scale") or 1.0
    w("== aero analyze: %s (backend %s, seed %s, %s s%s)" % (
        r.get("scenario"), r.get("backend"), r.get("seed"), fmt(r.get("duration_s")),
        "" if ts == 1.0 else ", time scale %g" % ts))
    w("   %s" % m["folder"])
    pd = m.get("prefix_delegation")
    if pd:
        w("")
        w("prefix delegation: %d of %d clients, latency (first Solicit -> prefix-delegated) mean %s, max %s"
          % (pd["clients_with_prefix"], pd["clients"], fmt(pd["latency_mean_s"], "latency"),
             fmt(pd["latency_max_s"], "latency")))
        for c, v in pd["per_client"].items():
            w("  %-12s %s" % (c, fmt(v, "latency") if v is not None else "no prefix"))
    fl = m.get("flows")
    if fl:
        w("")
        w("flows:        %-9s %-20s %7s %7s %6s  %s" % ("type", "from -> to", "sent", "recv", "PDR",
                                                       "one-way delay / RTT mean, median, p95"))
        for k in sorted(fl, key=int):
            f = fl[k]
            if "delay_mean_s" in f:
                d = "delay %s, %s, %s" % tuple(fmt(f["delay_%s_s" % x], "latency") for x in ("mean", "median", "p95"))
            elif "rtt_mean_s" in f:
                d = "RTT %s, %s, %s" % tuple(fmt(f["rtt_%s_s" % x], "latency") for x in ("mean", "median", "p95"))
            elif f["type"] == "tcp_bulk":
                d = "goodput %s (%s of %s bytes)" % (fmt(f.get("goodput_bps"), "rate"), f["rx_bytes"], f["tx_bytes"])
            else:
                d = "-"
            w("  flow %-6s %-9s %-20s %7d %7d %6s  %s" % (
                k, f["type"], "%s -> %s" % (f.get("from"), f.get("to")), f["tx"], f["rx"],
                fmt(f.get("pdr"), "ratio"), d))
    ho = m.get("handovers")
    if ho is not None:
        w("")
        w("handovers: %d moves, %d handover events from the core; interruption mean %s, max %s"
          % (ho["moves"], ho["core_handover_events"], fmt(ho["interruption_mean_s"], "interruption"),
             fmt(ho["interruption_max_s"], "interruption")))
    ro = m.get("route_optimisation")
    if ro is not None:
        w("route optimisation: %d ro-up, %d ro-down" % (ro["up"], ro["down"]))
        for k, s in ro.get("stretch", {}).items():
            w("  flow %s: delay %s before ro-up at %.2f s, %s after: path stretch %s" % (
                k, fmt(s["delay_before_s"], "latency"), s["ro_up_t"], fmt(s["delay_after_s"], "latency"),
                fmt(s["stretch"], "ratio")))
    c = m.get("control")
    if c:
        w("")
        w("control overhead (source: %s): %s AERO control packets, %s bytes; %s iBGP packets"
          % (c.get("source"), c.get("packets"), c.get("bytes"), c.get("bgp_packets")))
        if "counters_packets" in c:
            w("  counters.json tx_control: %d packets, %d bytes" % (c["counters_packets"], c["counters_bytes"]))
        for t, v in sorted(c.get("by_type", {}).items(), key=lambda kv: -kv[1]["packets"]):
            w("  %-34s %6d packets %8s bytes" % (t, v["packets"], v["bytes"] if c["source"] == "pcap" else "-"))
    b = m.get("bindings")
    if b:
        w("")
        w("server bindings: " + ", ".join("%s max %d final %d" % (s, b["max"][s], b["final"][s]) for s in sorted(b["final"])))
    if m.get("notes"):
        w("")
        w("notes:")
        for n in m["notes"]:
            w("  - " + n)
    w("")
    w("written to %s: %s" % (out, " ".join(files)))
    return "\n".join(L)


# ---------------------------------------------------------------------------
# two folders

def exceeds(kind, a, b, tol):
    if a is None and b is None:
        return None, None
    if a is None or b is None:
        return True, "only in one"
    mode, x = tol[kind]
    d = b - a
    if mode == "abs":
        return abs(d) > x + 1e-12, "abs %g" % x
    if kind == "interruption" and abs(d) <= INTERRUPTION_ABS_FLOOR:
        return False, "rel %g%%" % (x * 100)
    if a == 0:
        return d != 0, "rel %g%%" % (x * 100)
    return abs(d) > x * abs(a) + 1e-12, "rel %g%%" % (x * 100)


def compare(ma, mb, tol):
    fa, fb = am.flatten(ma), am.flatten(mb)
    rows = []
    for k in list(fa) + [k for k in fb if k not in fa]:
        kind = (fa.get(k) or fb.get(k))[1]
        a = fa[k][0] if k in fa else None
        b = fb[k][0] if k in fb else None
        ex, how = exceeds(kind, a, b, tol)
        diff = (b - a) if (a is not None and b is not None) else None
        rel = (diff / a) if (diff is not None and a) else None
        rows.append({"metric": k, "kind": kind, "a": a, "b": b, "diff": diff, "rel": rel,
                     "tolerance": how, "exceeds": ex})
    return rows


def label(m):
    r = m["run"]
    ts = r.get("time_scale") or 1.0
    return "%s%s" % (r.get("backend") or os.path.basename(m["folder"]),
                     "" if ts == 1.0 else " (x%g)" % ts)


def compare_report(ma, mb, rows, out, files, tol):
    la, lb = label(ma), label(mb)
    if la == lb:
        la, lb = la + " [A]", lb + " [B]"
    L = []
    w = L.append
    w("# aero analyze: comparison")
    w("")
    w("- A: `%s` (%s, seed %s, aero %s)" % (ma["folder"], ma["run"].get("backend"), ma["run"].get("seed"), ma["run"].get("aero_version")))
    w("- B: `%s` (%s, seed %s, aero %s%s)" % (mb["folder"], mb["run"].get("backend"), mb["run"].get("seed"), mb["run"].get("aero_version"),
                                             "" if scen_time(mb) == 1 else ", time scale %g" % scen_time(mb)))
    w("- tolerances (B - A against A): " + ", ".join(
        "%s %s %g%s" % (k, "relative" if v[0] == "rel" else "absolute", v[1] * 100 if v[0] == "rel" else v[1], "%" if v[0] == "rel" else "")
        for k, v in tol.items()) + "; interruption differences under %g ms never flagged" % (INTERRUPTION_ABS_FLOOR * 1e3))
    w("")
    w("| metric | %s | %s | B - A | rel. | tolerance | exceeds |" % (la, lb))
    w("|---|---:|---:|---:|---:|---|---|")
    for r in rows:
        k = r["kind"]
        w("| %s | %s | %s | %s | %s | %s | %s |" % (
            r["metric"], fmt(r["a"], k), fmt(r["b"], k), fmt(r["diff"], k),
            "-" if r["rel"] is None else "%+.0f%%" % (100 * r["rel"]), r["tolerance"] or "-",
            {True: "**YES**", False: "no", None: "-"}[r["exceeds"]]))
    flagged = [r["metric"] for r in rows if r["exceeds"]]
    w("")
    w("Differences beyond the tolerance (%d of %d metrics): %s" % (
        len(flagged), len(rows), ", ".join(flagged) if flagged else "none"))
    notes = [("A", n) for n in ma.get("notes", [])] + [("B", n) for n in mb.get("notes", [])]
    if notes:
        w("")
        w("Notes:")
        for s, n in notes:
            w("- %s: %s" % (s, n))
    w("")
    w("Plots: " + " ".join("![%s](%s)" % (f, f) for f in files if f.endswith(".png")))
    md = "\n".join(L) + "\n"
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(md)
    # text form
    T = []
    T.append("== aero analyze: A = %s  vs  B = %s" % (la, lb))
    T.append("   A %s" % ma["folder"])
    T.append("   B %s" % mb["folder"])
    wid = max(len(r["metric"]) for r in rows) if rows else 10
    T.append("%-*s %14s %14s %14s %7s  %s" % (wid, "metric", la[:14], lb[:14], "B - A", "rel", "exceeds tolerance"))
    for r in rows:
        k = r["kind"]
        T.append("%-*s %14s %14s %14s %7s  %s" % (
            wid, r["metric"], fmt(r["a"], k), fmt(r["b"], k), fmt(r["diff"], k),
            "-" if r["rel"] is None else "%+.0f%%" % (100 * r["rel"]),
            {True: "YES (%s)" % r["tolerance"], False: "no", None: "-"}[r["exceeds"]]))
    T.append("")
    T.append("beyond tolerance: %s" % (", ".join(flagged) if flagged else "none"))
    for s, n in notes:
        T.append("note %s: %s" % (s, n))
    T.append("written to %s: report.md %s" % (out, " ".join(files)))
    return "\n".join(T), flagged


def plot_compare(out, ma, ta, mb, tb, rows, files):
    p = plt()
    if not p:
        return
    la, lb = label(ma), label(mb)
    if la == lb:
        la, lb = la + " [A]", lb + " [B]"
    groups = [("PD latency (ms)", "latency", 1e3, lambda k: k.startswith("pd.latency")),
              ("one-way delay / RTT (ms)", "latency", 1e3, lambda k: k.startswith("flow") and ("delay" in k or "rtt" in k)),
              ("delivery ratio", "ratio", 1, lambda k: k.endswith(".pdr")),
              ("goodput (Mbit/s)", "rate", 1e-6, lambda k: k.endswith("goodput_bps")),
              ("handover interruption (ms)", "interruption", 1e3, lambda k: k.startswith("handover.interruption")),
              ("control bytes", "count", 1, lambda k: k.startswith("control.") and "bytes" in k),
              ("control packets", "count", 1, lambda k: k.startswith("control.") and "bytes" not in k),
              ("counts (clients, moves, RO, bindings)", "count", 1,
               lambda k: r_kind(rows, k) == "count" and not k.startswith("control."))]
    used = [(t, s, sel) for t, kind, s, sel in groups if any(sel(r["metric"]) for r in rows)]
    if used:
        fig, axes = p.subplots(len(used), 1, figsize=(11, 2.9 * len(used) + 0.5), squeeze=False)
        for ax, (t, s, sel) in zip(axes[:, 0], used):
            rs = [r for r in rows if sel(r["metric"])]
            xs = range(len(rs))
            va = [(r["a"] * s) if r["a"] is not None else 0 for r in rs]
            vb = [(r["b"] * s) if r["b"] is not None else 0 for r in rs]
            ax.bar([x - 0.2 for x in xs], va, 0.4, label="A: " + la, color="tab:blue")
            ax.bar([x + 0.2 for x in xs], vb, 0.4, label="B: " + lb, color="tab:orange")
            for x, r in zip(xs, rs):
                for v, off in ((r["a"], -0.2), (r["b"], 0.2)):
                    if v is None:
                        ax.annotate("n/a", (x + off, 0), ha="center", va="bottom", fontsize=7, color="gray")
                if r["exceeds"]:
                    ax.annotate("\u2260", (x, max(va[x], vb[x])), ha="center", va="bottom", color="tab:red", fontsize=12)
            ax.set_xticks(list(xs))
            ax.set_xticklabels([r["metric"] for r in rs], rotation=20, ha="right", fontsize=7)
            ax.set_ylabel(t, fontsize=8)
            ax.grid(axis="y", alpha=0.3)
            ax.legend(fontsize=7)
        fig.suptitle("Every metric from both runs (\u2260 = difference beyond tolerance)")
        fig.tight_layout(rect=(0, 0, 1, 0.98))
        fig.savefig(os.path.join(out, "compare_metrics.png"), dpi=110)
        p.close(fig)
        files.append("compare_metrics.png")
    # delivery over scenario time and latency CDFs, both runs
    fa, fb = ma.get("flows") or {}, mb.get("flows") or {}
    keys = sorted(set(fa) & set(fb), key=int)
    if keys:
        fig, axes = p.subplots(len(keys), 2, figsize=(12, 2.8 * len(keys) + 0.6), squeeze=False,
                               gridspec_kw={"width_ratios": [3, 2]})
        for i, k in enumerate(keys):
            f = fa[k]
            ax = axes[i, 0]
            for m, t, lab, col in ((ma, ta, la, "tab:blue"), (mb, tb, lb, "tab:orange")):
                ts = scen_time(m)
                rs = [r for r in t.get("flow_bins", []) if r["flow"] == int(k)]
                if f["type"] == "tcp_bulk":
                    ax.plot([r["t"] / ts for r in rs], [r["goodput_bps"] / 1e6 for r in rs], drawstyle="steps-post", label=lab, color=col)
                else:
                    ax.plot([r["t"] / ts for r in rs], [r["pdr"] for r in rs], drawstyle="steps-post", label=lab, color=col)
            _mark_moves(ax, moves_of(ta), scen_time(ma))
            ax.set_ylabel("goodput (Mbit/s)" if f["type"] == "tcp_bulk" else "delivery ratio", fontsize=8)
            ax.set_title("flow %s %s %s\u2192%s" % (k, f["type"], f["from"], f["to"]), fontsize=9, loc="left")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7, loc="lower right")
            ax = axes[i, 1]
            what = "RTT" if f["type"] == "ping" else "one-way latency"
            for m, t, lab, col in ((ma, ta, la, "tab:blue"), (mb, tb, lb, "tab:orange")):
                src = (t.get("_rtts") if f["type"] == "ping" else t.get("_delays")) or {}
                v = sorted(x * 1e3 for x in src.get(int(k), []))
                if v:
                    ax.plot(v, [(j + 1) / len(v) for j in range(len(v))], drawstyle="steps-post", label="%s (n=%d)" % (lab, len(v)), color=col)
            ax.set_ylabel("CDF", fontsize=8)
            ax.set_xlabel("%s (ms)" % what, fontsize=8)
            ax.set_title("%s CDF, flow %s" % (what, k), fontsize=9, loc="left")
            ax.grid(alpha=0.3)
            if ax.lines:
                ax.legend(fontsize=7, loc="lower right")
            else:
                ax.text(0.5, 0.5, "no per-packet latency (%s)" % f["type"], transform=ax.transAxes, ha="center")
                ax.set_xticks([])
                ax.set_yticks([])
        axes[-1, 0].set_xlabel("scenario time (s; run time / time scale)")
        fig.suptitle("Delivery over time (handovers dashed) and latency CDFs: A = %s, B = %s" % (la, lb))
        fig.tight_layout()
        fig.savefig(os.path.join(out, "compare_flows.png"), dpi=110)
        p.close(fig)
        files.append("compare_flows.png")


def r_kind(rows, k):
    for r in rows:
        if r["metric"] == k:
            return r["kind"]
    return None


# ---------------------------------------------------------------------------
# sweeps

T975 = [None, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def ci95(vals):
    """mean and half-width of the 95 % confidence interval (Student t)."""
    n = len(vals)
    if n == 0:
        return None, None
    mean = sum(vals) / n
    if n == 1:
        return mean, None
    sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / (n - 1))
    t = T975[n - 1] if n - 1 < len(T975) else 1.960
    return mean, t * sd / math.sqrt(n)


def sweep_report(folder, out, plots, use_pcap):
    sw = json.load(open(os.path.join(folder, "sweep.json")))
    keys = list(sw["set"].keys())
    per_combo, missing = {}, []
    for r in sw["runs"]:
        d = os.path.join(folder, r["dir"])
        if not os.path.exists(os.path.join(d, "run.json")):
            missing.append(r["dir"])
            continue
        m, _, _ = am.compute(d, use_pcap=use_pcap)
        combo = tuple(json.dumps(r["params"][k]) for k in keys)
        per_combo.setdefault(combo, []).append(am.flatten(m))
    rows = []
    def order(kv):
        return tuple((isinstance(v, str), v if not isinstance(v, (list, dict)) else str(v))
                     for v in (json.loads(x) for x in kv[0]))
    for combo, fl in sorted(per_combo.items(), key=order):
        names = []
        for f in fl:
            names += [k for k in f if k not in names]
        for name in names:
            vals = [f[name][0] for f in fl if name in f and f[name][0] is not None]
            mean, hw = ci95(vals)
            row = {k: json.loads(v) for k, v in zip(keys, combo)}
            row.update({"metric": name, "n": len(vals), "mean": mean, "ci95": hw,
                        "min": min(vals) if vals else None, "max": max(vals) if vals else None})
            rows.append(row)
    os.makedirs(out, exist_ok=True)
    files = []
    write_csv(os.path.join(out, "aggregate.csv"), am.clean(rows), keys + ["metric", "n", "mean", "ci95", "min", "max"])
    files.append("aggregate.csv")
    agg = {"scenario": sw.get("scenario"), "set": sw["set"], "seeds": sw.get("seeds"),
           "runs": len(sw["runs"]), "missing_runs": missing, "aggregate": am.clean(rows)}
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(agg, f, indent=1)
    files.append("summary.json")
    # which metrics to plot: the main ones that exist
    allm = []
    for r in rows:
        if r["metric"] not in allm:
            allm.append(r["metric"])
    main = [k for k in allm if k in ("pd.latency_mean_s", "handover.interruption_mean_s", "control.counters_packets")
            or k.endswith(".pdr") or k.endswith("delay_mean_s") or k.endswith("rtt_mean_s")]
    main = [k for k in main if any(r["metric"] == k and r["n"] for r in rows)]
    if plots and plt() and main and rows:
        p = plt()
        x0 = keys[0]
        others = keys[1:]
        ncol = 2
        nrow = (len(main) + 1) // 2
        fig, axes = p.subplots(nrow, ncol, figsize=(11, 3.2 * nrow + 0.6), squeeze=False)
        for ax, name in zip(axes.flat, main):
            sub = [r for r in rows if r["metric"] == name and r["mean"] is not None]
            lines = {}
            for r in sub:
                lines.setdefault(tuple(json.dumps(r[k]) for k in others), []).append(r)
            scale, unit = (1e3, " (ms)") if name.endswith("_s") else (1, "")
            allx = [r[x0] for r in sub if isinstance(r[x0], (int, float))]
            span = (max(allx) - min(allx)) if allx else 0
            for li, (lk, rs) in enumerate(sorted(lines.items(), key=lambda kv: [
                    (isinstance(json.loads(v), str), json.loads(v)) for v in kv[0]])):
                rs.sort(key=lambda r: (isinstance(r[x0], str), r[x0]))
                xs = [r[x0] for r in rs]
                numeric = all(isinstance(x, (int, float)) for x in xs)
                dodge = (li - (len(lines) - 1) / 2) * 0.015 * (span if numeric and span else 1)
                xp = [x + dodge for x in (xs if numeric else range(len(xs)))]
                ax.errorbar(xp, [r["mean"] * scale for r in rs],
                            yerr=[(r["ci95"] or 0) * scale for r in rs], marker="o", capsize=4,
                            label=", ".join("%s=%s" % (k, json.loads(v)) for k, v in zip(others, lk)) or "mean \u00b1 95% CI")
                if not numeric:
                    ax.set_xticks(list(range(len(xs))))
                    ax.set_xticklabels([str(x) for x in xs])
            ax.ticklabel_format(axis="y", useOffset=False)
            ax.set_title(name + unit, fontsize=9)
            ax.set_xlabel(x0, fontsize=8)
            ax.grid(alpha=0.3)
            if sub:
                ax.legend(fontsize=7)
            else:
                ax.text(0.5, 0.5, "no values", transform=ax.transAxes, ha="center")
        for ax in list(axes.flat)[len(main):]:
            ax.axis("off")
        fig.suptitle("Sweep of %s: mean and 95%% confidence interval over %s seeds" % (sw.get("scenario"), sw.get("seeds")))
        fig.tight_layout(rect=(0, 0, 1, 0.97))
        fig.savefig(os.path.join(out, "sweep.png"), dpi=110)
        p.close(fig)
        files.append("sweep.png")
    # report
    L = ["# aero sweep: %s" % sw.get("scenario"), "",
         "Parameters: " + "; ".join("%s = %s" % (k, v) for k, v in sw["set"].items()) +
         "; seeds: %s; runs: %d%s" % (sw.get("seeds"), len(sw["runs"]),
                                     ", missing: %s" % " ".join(missing) if missing else ""), "",
         "Mean and 95 % confidence interval (Student t over the seeds) per combination:", "",
         "| " + " | ".join(keys) + " | metric | n | mean | \u00b1 95 % CI |",
         "|" + "---|" * (len(keys) + 4)]
    for r in rows:
        if r["metric"] in main or r["metric"].startswith("pd.clients"):
            L.append("| " + " | ".join(str(r[k]) for k in keys) + " | %s | %d | %s | %s |" % (
                r["metric"], r["n"], fmt(r["mean"]), fmt(r["ci95"])))
    L += ["", "All metrics: aggregate.csv. " + " ".join("![%s](%s)" % (f, f) for f in files if f.endswith(".png"))]
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    files.append("report.md")
    text = "\n".join(["== aero analyze: sweep of %s, mean \u00b1 95 %% CI over seeds" % sw.get("scenario"), L[2], ""] + ["%-40s %-28s n=%d  %s \u00b1 %s" % (
        ", ".join("%s=%s" % (k, r[k]) for k in keys), r["metric"], r["n"], fmt(r["mean"]), fmt(r["ci95"]))
        for r in rows if r["metric"] in main and r["n"]] + ["", "written to %s: %s" % (out, " ".join(files))])
    return text, (0 if per_combo else 1)


# ---------------------------------------------------------------------------

def usable(folder):
    return os.path.isdir(folder) and any(os.path.exists(os.path.join(folder, f)) for f in
                                         ("run.json", "events.jsonl", "flows.jsonl", "counters.json", "sweep.json"))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="aero analyze", description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.split("\n")[2:]))
    ap.add_argument("results", nargs="+", metavar="RESULTS")
    ap.add_argument("--out", help="output folder [A/analysis, or A/compare for two]")
    ap.add_argument("--no-plots", action="store_true", help="no PNGs")
    ap.add_argument("--no-pcap", action="store_true", help="control overhead from counters.json only")
    ap.add_argument("--tol", action="append", default=[], metavar="KIND=X",
                    help="override a tolerance (kinds: %s)" % ", ".join(TOLERANCES))
    a = ap.parse_args(argv)
    if len(a.results) > 2:
        ap.error("one or two results folders")
    tol = dict(TOLERANCES)
    for t in a.tol:
        k, _, v = t.partition("=")
        if k not in tol:
            ap.error("--tol: unknown kind %r" % k)
        try:
            tol[k] = (tol[k][0], float(v))
        except ValueError:
            ap.error("--tol %s: not a number" % t)
    for f in a.results:
        if not os.path.isdir(f):
            print("aero analyze: %s: no such folder" % f, file=sys.stderr)
            return 2
        if not usable(f):
            print("aero analyze: %s: not a results folder (no run.json, events.jsonl, flows.jsonl, "
                  "counters.json or sweep.json)" % f, file=sys.stderr)
            return 1
    A = a.results[0]
    if len(a.results) == 1 and os.path.exists(os.path.join(A, "sweep.json")):
        out = a.out or os.path.join(A, "analysis")
        text, rc = sweep_report(A, out, not a.no_plots, not a.no_pcap)
        print(text)
        return rc
    if len(a.results) == 1:
        out = a.out or os.path.join(A, "analysis")
        m, _, files = analyse_one(A, out, not a.no_plots, not a.no_pcap)
        print(text_report(m, files, out))
        return 0
    B = a.results[1]
    out = a.out or os.path.join(A, "compare")
    ma, ta, fa = analyse_one(A, os.path.join(out, "A"), not a.no_plots, not a.no_pcap)
    mb, tb, fb = analyse_one(B, os.path.join(out, "B"), not a.no_plots, not a.no_pcap)
    rows = compare(ma, mb, tol)
    write_csv(os.path.join(out, "compare.csv"), am.clean(rows))
    files = ["compare.csv"]
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump({"a": ma["folder"], "b": mb["folder"], "tolerances": tol,
                   "metrics": am.clean(rows),
                   "exceeding": [r["metric"] for r in rows if r["exceeds"]]}, f, indent=1)
    files.append("summary.json")
    if not a.no_plots and plt():
        plot_compare(out, ma, ta, mb, tb, rows, files)
    text, _ = compare_report(ma, mb, rows, out, files + ["A/", "B/"], tol)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
