#!/usr/bin/python3
"""flowgen: the emulation's UDP flow generator and receiver.

  flowgen.py send --flow K --node NAME --dst ADDR --port P --rate BPS --size B
                  --duration S --out FILE
  flowgen.py recv --flow K --node NAME --port P --duration S --out FILE

Each datagram carries (flow, seq, tx time in CLOCK_MONOTONIC ns); every
namespace shares that clock, so the receiver logs the one-way delay. Lines
follow analysis/RESULTS.md flows.jsonl, with t relative to --epoch-ns.
"""
import argparse, json, socket, struct, time

HDR = struct.Struct("!IIQ")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["send", "recv"])
    ap.add_argument("--flow", type=int, required=True)
    ap.add_argument("--node", required=True)
    ap.add_argument("--dst")
    ap.add_argument("--port", type=int, default=5001)
    ap.add_argument("--rate", type=float, default=64000)
    ap.add_argument("--size", type=int, default=200)
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--epoch-ns", type=int, default=0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    epoch = a.epoch_ns or time.monotonic_ns()
    out = open(a.out, "w", buffering=1)
    t_end = time.monotonic() + a.duration
    if a.mode == "recv":
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::", a.port))
        s.settimeout(0.2)
        while time.monotonic() < t_end:
            try:
                data = s.recv(65536)
            except socket.timeout:
                continue
            now = time.monotonic_ns()
            if len(data) < HDR.size:
                continue
            flow, seq, tx = HDR.unpack_from(data)
            out.write(json.dumps({"t": round((now - epoch) / 1e9, 6), "flow": flow, "seq": seq,
                                  "dir": "rx", "node": a.node, "bytes": len(data),
                                  "delay": round((now - tx) / 1e9, 6)}) + "\n")
        return
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    size = max(a.size, HDR.size)
    gap = size * 8.0 / a.rate
    pad = b"\0" * (size - HDR.size)
    seq = 0
    nxt = time.monotonic()
    while time.monotonic() < t_end:
        now = time.monotonic_ns()
        try:
            s.sendto(HDR.pack(a.flow, seq, now) + pad, (a.dst, a.port))
            out.write(json.dumps({"t": round((now - epoch) / 1e9, 6), "flow": a.flow, "seq": seq,
                                  "dir": "tx", "node": a.node, "bytes": size}) + "\n")
        except OSError as e:  # no route yet (prefix not delegated): count as sent
            out.write(json.dumps({"t": round((now - epoch) / 1e9, 6), "flow": a.flow, "seq": seq,
                                  "dir": "tx", "node": a.node, "bytes": size, "error": e.strerror}) + "\n")
        seq += 1
        nxt += gap
        d = nxt - time.monotonic()
        if d > 0:
            time.sleep(d)

if __name__ == "__main__":
    main()
