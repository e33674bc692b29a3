#!/usr/bin/python3
"""Rebuild a scenario manifest from the loader's JSON export.

Used by t_scenarios.sh for the JSON round trip: manifest -> JSON -> this
manifest -> JSON must give the same scenario. Every group is written out as
single nodes and every default explicitly, so a field the JSON export drops
or mangles shows up as a difference. Durations are written in integer
nanoseconds, so no precision is lost.

usage: scen_json2yaml.py SCENARIO.json > manifest.yaml
"""
import json
import os
import sys


def dur(sec):
    return "%dns" % round(sec * 1e9)


def q(s):
    return json.dumps(s)  # a JSON string is a valid YAML flow scalar


def main():
    s = json.load(open(sys.argv[1]))
    out = []
    w = out.append
    r = s["run"]
    w("run:")
    w("  name: %s" % q(r["name"]))
    w("  duration: %s" % dur(r["duration"]))
    w("  seed: %d" % r["seed"])
    w("  run: %d" % r["run"])
    w("  output: %s" % q(os.path.abspath(r["output_path"])))
    l = s["link"]
    w("link:")
    w("  profile: %s" % l["profile"])
    w("  port: %d" % l["port"])
    w("  mtu: %d" % l["mtu"])
    w("  pio_x: %s" % ("true" if l["pio_x"] else "false"))
    if l["icv_key"] is not None:
        w("  icv_key: %s" % l["icv_key"])
    w("  timers:")
    for k, v in l["timers"].items():
        w("    %s: %s" % (k, dur(v)))
    u = s["underlay"]
    w("underlay:")
    w("  family: %s" % u["family"])
    if "manet" in u:
        m = u["manet"]
        w("  manet:")
        w("    area: [%r, %r]" % tuple(m["area"]))
        w("    range: %r" % m["range"])
        w("    delay_per_m: %r" % m["delay_per_m"])
        w("    loss_at_range: %r" % m["loss_at_range"])
        w("    routing: %s" % m["routing"])
        w("    wifi: {standard: %s, rate: %d}" % (m["wifi"]["standard"], m["wifi"]["rate"]))
    else:
        w("  networks:")
        for n in u["networks"]:
            w("    - {name: %s, prefix: %s, delay: %s, jitter: %s, loss: %r, rate: %d, queue: %d}"
              % (q(n["name"]), n["prefix"], dur(n["delay"]), dur(n["jitter"]),
                 n["loss"], n["rate"], n["queue"]))
    w("nodes:")
    for nd in s["nodes"]:
        f = ["name: %s" % q(nd["name"]), "role: %s" % nd["role"]]
        if nd["model"] is not None:
            f.append("model: %s" % nd["model"])
        if "pool" in nd:
            f.append("pool: {prefix: %s, length: %d}" % (q(nd["pool"]["prefix"]), nd["pool"]["length"]))
        if "aggregate" in nd:
            f.append("aggregate: %s" % q(nd["aggregate"]))
        if "manet" not in u:
            f.append("networks: [%s]" % ", ".join(q(i["network"]) for i in nd["interfaces"]))
        if nd["position"] is not None:
            f.append("position: [%s]" % ", ".join(repr(x) for x in nd["position"]))
        w("  - {%s}" % ", ".join(f))
    mo = s["mobility"]
    if mo["kind"] == "file":
        w("mobility:")
        w("  file: %s" % q(os.path.abspath(mo["path"])))
    elif mo["kind"] == "random_waypoint":
        w("mobility:")
        w("  model: random_waypoint")
        w("  speed: [%r, %r]" % tuple(mo["speed"]))
        w("  pause: %s" % dur(mo["pause"]))
    elif mo["kind"] == "constant_position":
        w("mobility:")
        w("  model: constant_position")
    if s["traffic"]:
        w("traffic:")
        for t in s["traffic"]:
            f = ["type: %s" % t["type"], "from: %s" % q(t["from"]), "to: %s" % q(t["to"]),
                 "start: %s" % dur(t["start"]), "stop: %s" % dur(t["stop"])]
            if "rate" in t:
                f.append("rate: %d" % t["rate"])
            if "size" in t:
                f.append("size: %d" % t["size"])
            if "interval" in t:
                f.append("interval: %s" % dur(t["interval"]))
            w("  - {%s}" % ", ".join(f))
    if s["events"]:
        w("events:")
        for e in s["events"]:
            f = ["at: %s" % dur(e["at"]), "type: %s" % e["type"], "node: %s" % q(e["node"])]
            if "network" in e:
                f.append("network: %s" % q(e["network"]))
            if e["type"] == "move":
                f += ["from: %s" % q(e["from"]), "to: %s" % q(e["to"])]
            if e["type"] == "server_crash":
                f.append("keep_state: %s" % ("true" if e["keep_state"] else "false"))
                if e["restart"] is not None:
                    f.append("restart: %s" % dur(e["restart"]))
            w("  - {%s}" % ", ".join(f))
    c = s["capture"]
    nodes = "all" if c["nodes"] == "all" else "[%s]" % ", ".join(q(x) for x in c["nodes"])
    w("capture: {underlay: %s, aero: %s, nodes: %s}" % (
        "true" if c["underlay"] else "false", "true" if c["aero"] else "false", nodes))
    print("\n".join(out))


if __name__ == "__main__":
    main()
