"""Metrics from one results folder (analysis/RESULTS.md layout, any backend).

compute(folder, use_pcap=True) -> (metrics dict, tables dict, notes list)

Every metric is computed from the files the folder has; a missing or broken
file gives a note ("flows.jsonl missing: ...") and the metrics that need it
are left out, the rest is still computed. Definitions (analysis/README.md):

  prefix delegation latency  first `state solicit` event of a Client to its
                             first `prefix-delegated` event (also from the
                             Client's first event of any kind: `from_start_s`)
  delivery ratio             packets received / sent, per flow (udp_cbr:
                             rx lines at the receiver, ping: answered echoes);
                             per 1 s bin of *send* time, a packet counting in
                             the bin it was sent in (tcp_bulk: bytes)
  one-way latency            the `delay` of rx lines (ping: half the RTT is
                             NOT used; ping has `rtt_*` instead)
  handover interruption      per `scenario` move event of node N at time T
                             and per flow from or to N, from the reception
                             times of that flow: the longest gap between
                             consecutive receptions from the last one at or
                             before T up to T + 5 s (`longest_gap_s`), and
                             the first reception after T minus the last at or
                             before T (`first_gap_s`); the move's
                             `interruption_s` is the largest longest_gap_s
                             of its flows
  route optimisation         ro-up / ro-down events; path stretch per flow
                             whose end has an ro-up: mean delay in the 5 s
                             before the first ro-up over the mean in the 5 s
                             after it
  control overhead           packets and bytes each node *sent*, by message
                             type: from the underlay pcaps with tshark
                             (source "pcap"), else from counters.json
                             (source "counters": tx_control, tx_control_bytes
                             and the per-message counters)
  bindings over time         per Server, bindings active after each binding
                             event (bound: +1; expired/released/free: -1)
"""
import glob
import json
import math
import os
import shutil
import subprocess
import tempfile

BIN_S = 1.0          # time bin of the per-flow series
HO_WINDOW_S = 5.0    # handover gap window after the move
RO_WINDOW_S = 5.0    # delay window before/after the first ro-up

DHCP6 = {1: "Solicit", 2: "Advertise", 3: "Request", 4: "Confirm", 5: "Renew",
         6: "Rebind", 7: "Reply", 8: "Release", 9: "Decline", 10: "Reconfigure",
         11: "Information-request", 12: "Relay-forw", 13: "Relay-repl"}
ICMP6 = {1: "Destination Unreachable", 2: "Packet Too Big", 3: "Time Exceeded",
         4: "Parameter Problem", 133: "RS", 134: "RA", 135: "NS", 136: "NA",
         137: "Redirect", 143: "MLDv2 Report"}
BGP = {1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION", 4: "KEEPALIVE", 5: "ROUTE-REFRESH"}
# counters.json: control messages each node sends, by message type
COUNTER_TYPES = [
    ("client_solicit_tx", "DHCPv6 Solicit"), ("client_request_tx", "DHCPv6 Request"),
    ("client_renew_tx", "DHCPv6 Renew"), ("client_rebind_tx", "DHCPv6 Rebind"),
    ("client_release_tx", "DHCPv6 Release"), ("srv_advertise_tx", "DHCPv6 Advertise"),
    ("srv_reply_tx", "DHCPv6 Reply"), ("client_rs_tx", "ICMPv6 RS"),
    ("srv_ra_tx", "ICMPv6 RA"), ("nud_probes", "ICMPv6 NS (NUD)"),
    ("nud_na_sent", "ICMPv6 NA"), ("ro_predirect_sent", "ICMPv6 Predirect"),
    ("ro_redirect_sent", "ICMPv6 Redirect"), ("ro_keepalive_sent", "RO keepalive"),
    ("ro_null_redirect_sent", "ICMPv6 null Redirect"), ("p2_reg_sent", "P2 registration"),
]
# the BPF pre-filter: AERO control inside UDP 8060 (inner ICMPv6 other than
# echo, inner DHCPv6) and iBGP; keeps tshark off the bulk data packets
BPF = ("(udp port 8060 and ((udp[14]=58 and udp[48]!=128 and udp[48]!=129) or "
       "(udp[14]=17 and (udp[50:2]=546 or udp[50:2]=547)))) or tcp port 179")


def _num(x, nd=6):
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return None
    return round(x, nd) if isinstance(x, float) else x


def pct(sorted_vals, p):
    """Percentile by linear interpolation (numpy's default), p in [0, 100]."""
    if not sorted_vals:
        return None
    k = (len(sorted_vals) - 1) * p / 100.0
    f = math.floor(k)
    c = min(f + 1, len(sorted_vals) - 1)
    return sorted_vals[f] + (sorted_vals[c] - sorted_vals[f]) * (k - f)


def stats(vals):
    v = sorted(vals)
    if not v:
        return {"n": 0}
    return {"n": len(v), "mean": sum(v) / len(v), "median": pct(v, 50),
            "p95": pct(v, 95), "min": v[0], "max": v[-1]}


def _load_json(folder, name, notes):
    p = os.path.join(folder, name)
    if not os.path.exists(p):
        notes.append("%s missing: metrics that need it are left out" % name)
        return None
    try:
        with open(p) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        notes.append("%s unreadable (%s): metrics that need it are left out" % (name, e))
        return None


def _load_jsonl(folder, name, notes):
    p = os.path.join(folder, name)
    if not os.path.exists(p):
        notes.append("%s missing: metrics that need it are left out" % name)
        return None
    out, bad, untimed = [], 0, 0
    try:
        with open(p) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    d = json.loads(line)
                except ValueError:
                    bad += 1
                    continue
                if not isinstance(d, dict) or "t" not in d:
                    bad += 1
                elif isinstance(d.get("t"), (int, float)):
                    out.append(d)
                elif d["t"] is None:
                    untimed += 1
                    out.append(d)
                else:
                    bad += 1
    except OSError as e:
        notes.append("%s unreadable (%s)" % (name, e))
        return None
    if bad:
        notes.append("%s: %d malformed lines skipped" % (name, bad))
    if untimed:
        notes.append("%s: %d lines with \"t\": null (counted in totals, left out of "
                     "time series and gaps)" % (name, untimed))
    return out


# ---------------------------------------------------------------------------

def prefix_delegation(events, clients):
    solicit, first_ev, deleg = {}, {}, {}
    for e in events:
        n = e.get("node")
        if n not in clients:
            continue
        first_ev.setdefault(n, e["t"])
        if e.get("type") == "state" and e.get("name") == "solicit":
            solicit.setdefault(n, e["t"])
        if e.get("type") == "prefix-delegated" and n not in deleg:
            deleg[n] = (e["t"], e.get("prefix"))
    rows = []
    for c in clients:
        r = {"client": c, "prefix": None, "solicit_t": solicit.get(c),
             "delegated_t": None, "latency_s": None, "from_start_s": None}
        if c in deleg:
            r["delegated_t"], r["prefix"] = deleg[c]
            t0 = solicit.get(c, first_ev.get(c))
            r["latency_s"] = deleg[c][0] - t0 if t0 is not None else None
            r["from_start_s"] = deleg[c][0] - first_ev[c]
        rows.append(r)
    lat = [r["latency_s"] for r in rows if r["latency_s"] is not None]
    summ = {"clients": len(clients), "clients_with_prefix": len(deleg),
            "latency_mean_s": sum(lat) / len(lat) if lat else None,
            "latency_max_s": max(lat) if lat else None,
            "per_client": {r["client"]: r["latency_s"] for r in rows}}
    return summ, rows


def flow_metrics(flows, traffic, duration):
    """Per flow: totals, delay/RTT stats, and 1 s bins by send time."""
    by = {}
    for d in flows:
        k = d.get("flow")
        if not isinstance(k, int):
            continue
        by.setdefault(k, []).append(d)
    out, bins_rows, delays, rtts = {}, [], {}, {}
    nflows = max(len(traffic), (max(by) + 1) if by else 0)
    for k in range(nflows):
        spec = traffic[k] if k < len(traffic) else {}
        typ = spec.get("type", "?")
        lines = by.get(k, [])
        tx = [d for d in lines if d.get("dir") == "tx"]
        rx = [d for d in lines if d.get("dir") == "rx"]
        m = {"type": typ, "from": spec.get("from"), "to": spec.get("to"),
             "tx": len(tx), "rx": len(rx),
             "tx_bytes": sum(d.get("bytes", 0) for d in tx),
             "rx_bytes": sum(d.get("bytes", 0) for d in rx)}
        txt = {}
        for d in tx:
            txt.setdefault(d.get("seq"), d["t"])
        if typ == "tcp_bulk":
            m["pdr"] = m["rx_bytes"] / m["tx_bytes"] if m["tx_bytes"] else None
            rxt = [d["t"] for d in rx if d["t"] is not None]
            txtt = [d["t"] for d in tx if d["t"] is not None]
            if rxt and txtt:
                span = max(rxt) - min(txtt)
                m["goodput_bps"] = 8 * m["rx_bytes"] / span if span > 0 else None
            else:
                m["goodput_bps"] = 0.0 if tx else None
        else:
            got = {d.get("seq") for d in rx if d.get("seq") in txt}
            m["rx"] = len(got) if tx else len(rx)
            m["pdr"] = len(got) / len(tx) if tx else None
        dl = [d["delay"] for d in rx if isinstance(d.get("delay"), (int, float))]
        rt = [d["rtt"] for d in rx if isinstance(d.get("rtt"), (int, float))]
        if dl:
            s = stats(dl)
            for key in ("mean", "median", "p95", "min", "max"):
                m["delay_%s_s" % key] = s[key]
            delays[k] = dl
        if rt:
            rtts[k] = rt
            s = stats(rt)
            for key in ("mean", "median", "p95", "min", "max"):
                m["rtt_%s_s" % key] = s[key]
        # bins by send time (tcp: bytes by time of the line)
        nb = int(math.ceil((duration or 0) / BIN_S)) if duration else 0
        if lines:
            nb = max([nb] + [int(d["t"] // BIN_S) + 1 for d in lines if d["t"] is not None])
        b_tx, b_rx, b_dsum, b_dn = [0] * nb, [0] * nb, [0.0] * nb, [0] * nb
        if typ == "tcp_bulk":
            for d in tx:
                if d["t"] is not None:
                    b_tx[min(int(d["t"] // BIN_S), nb - 1)] += d.get("bytes", 0)
            for d in rx:
                if d["t"] is not None:
                    b_rx[min(int(d["t"] // BIN_S), nb - 1)] += d.get("bytes", 0)
        else:
            for t in txt.values():
                if t is None:
                    continue
                b_tx[min(int(t // BIN_S), nb - 1)] += 1
            seen = set()
            for d in rx:
                s = d.get("seq")
                if s not in txt or s in seen or txt[s] is None:
                    continue
                seen.add(s)
                i = min(int(txt[s] // BIN_S), nb - 1)
                b_rx[i] += 1
                v = d.get("delay", d.get("rtt"))
                if isinstance(v, (int, float)):
                    b_dsum[i] += v
                    b_dn[i] += 1
        for i in range(nb):
            if b_tx[i] == 0 and b_rx[i] == 0:
                continue
            row = {"flow": k, "t": i * BIN_S, "tx": b_tx[i], "rx": b_rx[i],
                   "pdr": (b_rx[i] / b_tx[i]) if b_tx[i] and typ != "tcp_bulk" else None,
                   "delay_mean_s": b_dsum[i] / b_dn[i] if b_dn[i] else None,
                   "goodput_bps": 8 * b_rx[i] / BIN_S if typ == "tcp_bulk" else None}
            bins_rows.append(row)
        out[str(k)] = m
    return out, bins_rows, (delays, rtts)


def handovers(events, flows, traffic):
    """Per move and per flow from or to the moving node (see the module doc)."""
    moves = [e for e in events if e.get("type") == "scenario" and e.get("name") == "move"]
    core_ho = [e for e in events if e.get("type") == "handover"]
    ends = {k: {t.get("from"), t.get("to")} for k, t in enumerate(traffic)}
    rx_by_flow = {}
    for d in flows or []:
        if d.get("dir") == "rx" and d["t"] is not None:
            rx_by_flow.setdefault(d.get("flow"), []).append(d["t"])
    for v in rx_by_flow.values():
        v.sort()
    rows, per_move = [], []
    for mv in moves:
        n, T = mv.get("node"), mv["t"]
        worst = {"t": T, "node": n, "from": mv.get("from"), "to": mv.get("to"),
                 "interruption_s": None, "first_gap_s": None, "flows": []}
        for k in sorted(k for k, e in ends.items() if n in e):
            rxs = rx_by_flow.get(k, [])
            before = [t for t in rxs if t <= T]
            after = [t for t in rxs if t > T]
            r = {"t": T, "node": n, "from": mv.get("from"), "to": mv.get("to"), "flow": k,
                 "rx_before": len(before), "rx_after": len(after), "last_before_t": None,
                 "first_after_t": None, "first_gap_s": None, "longest_gap_s": None, "note": None}
            if flows is None:
                r["note"] = "no flows.jsonl"
            elif not before:
                r["note"] = "no reception before the move"
            elif not after:
                r["note"] = "no reception after the move"
            else:
                r["last_before_t"], r["first_after_t"] = before[-1], after[0]
                r["first_gap_s"] = after[0] - before[-1]
                # the first reception after the move always counts, even when
                # it comes later than the window (a long interruption)
                win = [before[-1], after[0]] + [t for t in after[1:] if t <= T + HO_WINDOW_S]
                r["longest_gap_s"] = max(b - a for a, b in zip(win, win[1:]))
                worst["flows"].append(k)
                for key, src in (("interruption_s", "longest_gap_s"), ("first_gap_s", "first_gap_s")):
                    if worst[key] is None or r[src] > worst[key]:
                        worst[key] = r[src]
            rows.append(r)
        per_move.append(worst)
    ints = [w["interruption_s"] for w in per_move if w["interruption_s"] is not None]
    summ = {"moves": len(moves), "core_handover_events": len(core_ho),
            "interruption_mean_s": sum(ints) / len(ints) if ints else None,
            "interruption_max_s": max(ints) if ints else None,
            "per_move": per_move}
    return summ, rows


def route_optimisation(events, flows, traffic):
    up = [e for e in events if e.get("type") == "ro-up"]
    down = [e for e in events if e.get("type") == "ro-down"]
    summ = {"up": len(up), "down": len(down), "stretch": {}}
    if not up or flows is None:
        return summ
    first_up = {}
    for e in up:
        first_up.setdefault(e.get("node"), e["t"])
    for k, t in enumerate(traffic):
        ts = [first_up[x] for x in (t.get("from"), t.get("to")) if x in first_up]
        if not ts:
            continue
        T = min(ts)
        bef = [d["delay"] for d in flows if d.get("flow") == k and d.get("dir") == "rx"
               and "delay" in d and d["t"] is not None and T - RO_WINDOW_S <= d["t"] - d["delay"] < T]
        aft = [d["delay"] for d in flows if d.get("flow") == k and d.get("dir") == "rx"
               and "delay" in d and d["t"] is not None and T <= d["t"] - d["delay"] < T + RO_WINDOW_S]
        if bef and aft:
            b, a = sum(bef) / len(bef), sum(aft) / len(aft)
            summ["stretch"][str(k)] = {"ro_up_t": T, "delay_before_s": b, "delay_after_s": a,
                                       "stretch": b / a if a > 0 else None}
    return summ


def bindings(events, servers):
    active = {s: set() for s in servers}
    rows = []
    for e in events:
        if e.get("type") != "binding":
            continue
        s = e.get("node")
        key = e.get("prefix") or e.get("addr")
        a = active.setdefault(s, set())
        nm = e.get("name")
        if nm in ("expired", "released", "free"):
            a.discard(key)
        else:  # bound, renewed, moved, imported...: active
            a.add(key)
        rows.append({"t": e["t"], "server": s, "event": nm, "bindings": len(a)})
    summ = {"events": len(rows), "final": {s: len(a) for s, a in active.items()},
            "max": {s: max([r["bindings"] for r in rows if r["server"] == s] or [0])
                    for s in active}}
    return summ, rows


def loc_ip(loc):
    """The address of a locator "ip:port", "[ip6]:port", "ip" or "ip6"."""
    if not loc:
        return None
    if loc.startswith("["):
        return loc[1:].split("]")[0]
    if loc.count(":") == 1:
        return loc.split(":")[0]
    return loc


def node_addresses(scen, events=None):
    """Underlay addresses of every node: its interfaces in scenario.json and
    the locators it gets from scenario events (a move to another network)."""
    addrs = {}
    for n in (scen or {}).get("nodes", []):
        s = set()
        for i in n.get("interfaces", []):
            for k in ("address", "native6"):
                if i.get(k):
                    s.add(i[k])
        addrs[n["name"]] = s
    for e in events or []:
        if e.get("type") == "scenario" and e.get("node") in addrs and loc_ip(e.get("loc")):
            addrs[e["node"]].add(loc_ip(e["loc"]))
    return addrs


def _classify(proto, dmsg, icmp, bgp, info):
    if dmsg:
        return "DHCPv6 " + DHCP6.get(int(dmsg), dmsg)
    if bgp:
        return "BGP " + BGP.get(int(bgp.split(",")[0]), bgp)
    if proto in ("TCP", "BGP"):
        return "BGP TCP (no message)"
    if icmp:
        t = int(icmp.split(",")[0])
        return "ICMPv6 " + ICMP6.get(t, "type %d" % t)
    return "other " + (info.split(" ")[0] if info else proto)


def overhead_pcap(folder, scen, events, notes):
    pdir = os.path.join(folder, "pcap")
    if not os.path.isdir(pdir):
        notes.append("pcap/ missing: control overhead from counters.json")
        return None
    if not shutil.which("tshark") or not shutil.which("tcpdump"):
        notes.append("tshark or tcpdump not installed: control overhead from counters.json")
        return None
    addrs = node_addresses(scen, events)
    rows = {}
    for node in sorted(addrs):
        files = sorted(glob.glob(os.path.join(pdir, node + "-underlay*.pcap")))
        seen = set()
        for f in files:
            if os.path.getsize(f) <= 24:
                continue
            # a private temporary file: never write beside the input
            # (results folders may be read-only or read by two runs at once)
            fd, tmp = tempfile.mkstemp(suffix=".pcap", prefix="aero-ctl-")
            os.close(fd)
            try:
                p = subprocess.run(["tcpdump", "-r", f, "-w", tmp, BPF],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                if p.returncode != 0:
                    notes.append("tcpdump could not read %s: %s" % (os.path.relpath(f, folder),
                                 p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "?"))
                    continue
                p = subprocess.run(
                    ["tshark", "-n", "-r", tmp, "-d", "udp.port==8060,ipv6", "-T", "fields",
                     "-E", "separator=|", "-E", "occurrence=a", "-e", "frame.time_epoch",
                     "-e", "frame.len", "-e", "ip.src", "-e", "ipv6.src", "-e", "ipv6.plen",
                     "-e", "_ws.col.Protocol", "-e", "dhcpv6.msgtype", "-e", "icmpv6.type",
                     "-e", "bgp.type", "-e", "_ws.col.Info"],
                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            for line in p.stdout.splitlines():
                f_ = line.split("|")
                if len(f_) < 10:
                    continue
                ts, flen, ip4, ip6, plen, proto, dmsg, icmp, bgp, info = f_[:10]
                outer = ip4.split(",")[0] if ip4 else ip6.split(",")[0]
                if outer not in addrs[node]:
                    continue  # received, not sent by this node
                dmsg = dmsg.split(",")[0]
                key = (ts, flen, outer, info)
                if key in seen:
                    continue
                seen.add(key)
                typ = _classify(proto, dmsg, icmp, bgp, info)
                pl = plen.split(",")
                inner = int(pl[-1]) + 40 if pl[-1] else 0
                if typ.startswith("BGP"):
                    inner = 0
                r = rows.setdefault((node, typ), [0, 0, 0])
                r[0] += 1
                r[1] += inner
                r[2] += int(flen or 0)
    return [{"node": n, "type": t, "packets": v[0], "bytes": v[1], "wire_bytes": v[2]}
            for (n, t), v in sorted(rows.items())]


def overhead_counters(counters):
    rows = []
    for node in sorted(counters or {}):
        c = counters[node]
        for key, name in COUNTER_TYPES:
            if c.get(key):
                rows.append({"node": node, "type": name, "packets": c[key],
                             "bytes": None, "wire_bytes": None})
    return rows


def control_overhead(folder, scen, events, counters, use_pcap, notes):
    summ = {}
    if counters is not None:
        summ["counters_packets"] = sum(c.get("tx_control", 0) for c in counters.values())
        summ["counters_bytes"] = sum(c.get("tx_control_bytes", 0) for c in counters.values())
        summ["counters_by_node"] = {n: {"packets": c.get("tx_control", 0),
                                        "bytes": c.get("tx_control_bytes", 0)}
                                    for n, c in sorted(counters.items())}
    rows = overhead_pcap(folder, scen, events, notes) if use_pcap and scen is not None else None
    if rows is not None:
        summ["source"] = "pcap"
    else:
        if not use_pcap:
            notes.append("--no-pcap: control overhead from counters.json")
        rows = overhead_counters(counters)
        summ["source"] = "counters" if counters is not None else None
    by_type = {}
    for r in rows:
        t = by_type.setdefault(r["type"], {"packets": 0, "bytes": 0, "wire_bytes": 0})
        t["packets"] += r["packets"]
        t["bytes"] += r["bytes"] or 0
        t["wire_bytes"] += r["wire_bytes"] or 0
    summ["by_type"] = by_type
    aero = {k: v for k, v in by_type.items() if not k.startswith("BGP")}
    summ["packets"] = sum(v["packets"] for v in aero.values())
    summ["bytes"] = sum(v["bytes"] for v in aero.values()) if summ["source"] == "pcap" else summ.get("counters_bytes")
    summ["bgp_packets"] = sum(v["packets"] for k, v in by_type.items() if k.startswith("BGP"))
    return summ, rows


# ---------------------------------------------------------------------------

def compute(folder, use_pcap=True):
    notes = []
    run = _load_json(folder, "run.json", notes) or {}
    scen = _load_json(folder, "scenario.json", notes)
    events = _load_jsonl(folder, "events.jsonl", notes)
    flows = _load_jsonl(folder, "flows.jsonl", notes)
    counters = _load_json(folder, "counters.json", notes)
    if events is not None:
        events = [e for e in events if e["t"] is not None]
    traffic = (scen or {}).get("traffic", [])
    nodes = (scen or {}).get("nodes", [])
    clients = [n["name"] for n in nodes if n.get("role") == "client"]
    servers = [n["name"] for n in nodes if n.get("role") == "server"]
    if scen is None and events is not None:  # guess roles from the events
        clients = sorted({e["node"] for e in events if e.get("type") == "prefix-delegated"})
        servers = sorted({e["node"] for e in events if e.get("type") == "binding"})
    duration = run.get("duration_s") or (scen or {}).get("run", {}).get("duration")
    ts = run.get("time_scale") or 1.0
    m = {"folder": os.path.abspath(folder),
         "run": {"scenario": run.get("scenario") or (scen or {}).get("run", {}).get("name"),
                 "backend": run.get("backend"), "seed": run.get("seed"),
                 "duration_s": duration, "time_scale": ts,
                 "aero_version": run.get("aero_version")}}
    tables = {}
    if events is not None:
        m["prefix_delegation"], tables["prefix_delegation"] = prefix_delegation(events, clients)
        m["route_optimisation"] = route_optimisation(events, flows, traffic)
        m["bindings"], tables["bindings"] = bindings(events, servers)
        m["handovers"], tables["handovers"] = handovers(events, flows, traffic)
        tables["moves"] = m["handovers"]["per_move"]
        for r in tables["handovers"]:
            if r.get("note"):
                notes.append("move of %s at %.3f s, flow %s: %s" % (r["node"], r["t"], r["flow"], r["note"]))
    if flows is not None:
        if scen is None:
            notes.append("scenario.json missing: flow types/ends unknown")
        m["flows"], tables["flow_bins"], (tables["_delays"], tables["_rtts"]) = \
            flow_metrics(flows, traffic, duration)
        tables["flows"] = [dict(flow=int(k), **v) for k, v in m["flows"].items()]
    m["control"], tables["control"] = control_overhead(folder, scen, events, counters, use_pcap, notes)
    m["notes"] = notes
    return clean(m), tables, notes


def clean(x):
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, list):
        return [clean(v) for v in x]
    if isinstance(x, float):
        return _num(x, 9)
    return x


def flatten(m):
    """The comparable scalar metrics: {name: (value, kind)}; kind picks the
    tolerance (see compare.TOLERANCES)."""
    out = {}
    pd = m.get("prefix_delegation")
    if pd:
        out["pd.clients_with_prefix"] = (pd["clients_with_prefix"], "count")
        out["pd.latency_mean_s"] = (pd["latency_mean_s"], "latency")
        out["pd.latency_max_s"] = (pd["latency_max_s"], "latency")
        for c, v in sorted(pd["per_client"].items()):
            out["pd.latency_s[%s]" % c] = (v, "latency")
    for k, f in sorted((m.get("flows") or {}).items(), key=lambda kv: int(kv[0])):
        p = "flow%s" % k
        out[p + ".pdr"] = (f.get("pdr"), "ratio")
        for key in ("delay_mean_s", "delay_median_s", "delay_p95_s",
                    "rtt_mean_s", "rtt_median_s", "rtt_p95_s"):
            if key in f:
                out[p + "." + key] = (f[key], "latency")
        if "goodput_bps" in f:
            out[p + ".goodput_bps"] = (f["goodput_bps"], "rate")
    ho = m.get("handovers")
    if ho:
        out["handover.moves"] = (ho["moves"], "count")
        out["handover.interruption_mean_s"] = (ho["interruption_mean_s"], "interruption")
        out["handover.interruption_max_s"] = (ho["interruption_max_s"], "interruption")
    ro = m.get("route_optimisation")
    if ro:
        out["ro.up"] = (ro["up"], "count")
        out["ro.down"] = (ro["down"], "count")
        for k, s in sorted(ro.get("stretch", {}).items()):
            out["ro.stretch[flow%s]" % k] = (s.get("stretch"), "ratio_rel")
    c = m.get("control")
    if c:
        if "counters_packets" in c:
            out["control.counters_packets"] = (c["counters_packets"], "count")
            out["control.counters_bytes"] = (c["counters_bytes"], "count")
        out["control.packets[%s]" % c.get("source")] = (c.get("packets"), "count")
    b = m.get("bindings")
    if b:
        for s, v in sorted(b["max"].items()):
            out["bindings.max[%s]" % s] = (v, "count")
        for s, v in sorted(b["final"].items()):
            out["bindings.final[%s]" % s] = (v, "count")
    return out
