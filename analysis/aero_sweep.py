#!/usr/bin/python3
"""aero sweep: run a scenario over combinations of parameters and seeds.

usage: aero sweep SCENARIO --set KEY=V1,V2,... [--set ...] [--seeds N] [-j J]
                  [--backend sim|emu] [--out DIR] [--scheduler auto|local|slurm]
                  [--dry-run] [--no-analyze] [-- BACKEND OPTIONS...]

KEY is a dotted path into the scenario JSON (`aero json SCENARIO`): dict keys,
list indices, or the `name` of a list element, e.g. link.timers.keepalive_time,
underlay.networks.isp2.loss, traffic.0.rate. Values: JSON numbers/strings/true/
false; durations with a unit (10ms, 2s, 500us) become seconds, percentages
(0.5%) fractions, rates with a unit (64kbit, 1Mbit) bit/s.

Every combination x seed (seeds 1..N) is one independent run in
DIR/runs/<combination>-seed<s>/ of the manifest DIR/manifests/<combination>.yaml
(built with tests/cli/scen_json2yaml.py). Locally a pool of J processes runs
them (emu: one at a time, Mininet runs do not share a machine); with
--scheduler slurm (auto: when sbatch is on PATH) DIR/slurm-array.sh is written
and submitted with sbatch as one job array (%J tasks at once). DIR/sweep.json
lists the runs; `aero analyze DIR` aggregates them (mean, 95 % CI).
Exit status: 0 every run ok, 1 a run failed, 2 usage, 3 missing facility.
"""
import argparse
import concurrent.futures as cf
import itertools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
J2Y = os.path.join(ROOT, "tests", "cli", "scen_json2yaml.py")
AERO = os.path.join(ROOT, "aero")
UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0,
         "bit": 1, "kbit": 1e3, "mbit": 1e6, "gbit": 1e9}


def parse_value(v):
    try:
        return json.loads(v)
    except ValueError:
        pass
    m = re.fullmatch(r"([-+0-9.eE]+)\s*(%|[a-zA-Z]+)", v.strip())
    if m:
        x, u = float(m.group(1)), m.group(2).lower()
        if u == "%":
            return x / 100.0
        if u in UNITS:
            return x * UNITS[u]
    return v


def set_path(doc, path, value):
    parts = path.split(".")
    cur = doc
    for i, p in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(cur, list):
            if re.fullmatch(r"\d+", p) and int(p) < len(cur):
                idx = int(p)
            else:
                idx = next((j for j, e in enumerate(cur) if isinstance(e, dict) and e.get("name") == p), None)
                if idx is None:
                    raise KeyError("%s: no element %r" % (path, p))
            if last:
                cur[idx] = value
            else:
                cur = cur[idx]
        elif isinstance(cur, dict):
            if p not in cur:
                raise KeyError("%s: no key %r (have: %s)" % (path, p, ", ".join(cur)))
            if last:
                cur[p] = value
            else:
                cur = cur[p]
        else:
            raise KeyError("%s: %r is not a mapping or list" % (path, p))


def safe(s):
    return re.sub(r"[^A-Za-z0-9.=_+-]", "_", s)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="aero sweep", description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.split("\n")[2:]))
    ap.add_argument("scenario")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=V1,V2,...", required=True)
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--backend", choices=("sim", "emu"), default="sim")
    ap.add_argument("--out")
    ap.add_argument("--scheduler", choices=("auto", "local", "slurm"), default="auto")
    ap.add_argument("--dry-run", action="store_true", help="write the manifests and scripts, run nothing")
    ap.add_argument("--no-analyze", action="store_true", help="do not aggregate at the end")
    ap.add_argument("extra", nargs="*", help="options passed to the backend (after --)")
    a = ap.parse_args(argv)
    if a.seeds < 1 or a.jobs < 1:
        ap.error("--seeds and -j must be at least 1")
    sets = {}
    for s in a.set:
        k, eq, vs = s.partition("=")
        if not eq or not k or not vs:
            ap.error("--set %r: want KEY=V1,V2,..." % s)
        sets[k] = [parse_value(v) for v in vs.split(",")]
    p = subprocess.run([AERO, "json", a.scenario], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        print("aero sweep: %s: scenario rejected" % a.scenario, file=sys.stderr)
        return 1 if p.returncode == 1 else p.returncode
    base = json.loads(p.stdout)
    name = base["run"]["name"]
    out = a.out or os.path.join(ROOT, "results", "sweep-%s-%s" % (name, time.strftime("%Y%m%dT%H%M%S", time.gmtime())))
    os.makedirs(os.path.join(out, "manifests"), exist_ok=True)
    os.makedirs(os.path.join(out, "runs"), exist_ok=True)
    keys = list(sets)
    runs = []
    for ci, combo in enumerate(itertools.product(*(sets[k] for k in keys))):
        doc = json.loads(json.dumps(base))
        try:
            for k, v in zip(keys, combo):
                set_path(doc, k, v)
        except KeyError as e:
            print("aero sweep: --set %s" % e.args[0], file=sys.stderr)
            return 2
        cname = safe("c%02d-" % ci + ",".join("%s=%s" % (k.split(".")[-1], v) for k, v in zip(keys, combo)))
        jpath = os.path.join(out, "manifests", cname + ".json")
        ypath = os.path.join(out, "manifests", cname + ".yaml")
        with open(jpath, "w") as f:
            json.dump(doc, f, indent=1)
        p = subprocess.run(["/usr/bin/python3", J2Y, jpath], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            sys.stderr.write(p.stderr)
            print("aero sweep: cannot write the manifest of %s" % cname, file=sys.stderr)
            return 1
        with open(ypath, "w") as f:
            f.write(p.stdout)
        chk = subprocess.run([AERO, "check", ypath], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if chk.returncode != 0:
            sys.stderr.write(chk.stderr)
            print("aero sweep: combination %s gives an invalid scenario" % cname, file=sys.stderr)
            return 1
        for seed in range(1, a.seeds + 1):
            rdir = "runs/%s-seed%d" % (cname, seed)
            cmd = [AERO, a.backend, ypath, "--out", os.path.join(out, rdir), "--seed", str(seed)]
            cmd += (["--quiet"] if a.backend == "sim" else []) + a.extra
            runs.append({"dir": rdir, "params": dict(zip(keys, combo)), "seed": seed,
                         "manifest": os.path.relpath(ypath, out), "cmd": cmd})
    sw = {"scenario": name, "scenario_path": os.path.abspath(a.scenario), "backend": a.backend,
          "set": sets, "seeds": a.seeds, "runs": runs}
    with open(os.path.join(out, "runs.txt"), "w") as f:
        for r in runs:
            f.write(" ".join(shlex.quote(c) for c in r["cmd"]) + " > %s.log 2>&1\n" % shlex.quote(os.path.join(out, r["dir"])))
    sched = a.scheduler
    if sched == "auto":
        sched = "slurm" if shutil.which("sbatch") else "local"
    if sched == "slurm":
        script = os.path.join(out, "slurm-array.sh")
        with open(script, "w") as f:
            f.write("#!/bin/bash\n#SBATCH --job-name=aero-sweep-%s\n#SBATCH --array=0-%d%%%d\n"
                    "#SBATCH --output=%s/slurm-%%A_%%a.out\n#SBATCH --cpus-per-task=1\n"
                    "# one run of the sweep per array task: line TASK+1 of runs.txt\n"
                    "set -euo pipefail\nline=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" %s)\n"
                    "eval \"$line\"\n" % (safe(name), len(runs) - 1, a.jobs, out, shlex.quote(os.path.join(out, "runs.txt"))))
        os.chmod(script, 0o755)
        sw["slurm_script"] = "slurm-array.sh"
    with open(os.path.join(out, "sweep.json"), "w") as f:
        json.dump(sw, f, indent=1)
    print("aero sweep: %d combinations x %d seeds = %d runs (%s, %s) in %s" % (
        len(runs) // a.seeds, a.seeds, len(runs), a.backend, sched, out), file=sys.stderr)
    if a.dry_run:
        print("aero sweep: --dry-run: nothing run; commands in %s/runs.txt" % out, file=sys.stderr)
        return 0
    if sched == "slurm":
        if not shutil.which("sbatch"):
            print("aero sweep: sbatch not found (Slurm): %s written, not submitted" % script, file=sys.stderr)
            return 3
        p = subprocess.run(["sbatch", "--parsable", script], stdout=subprocess.PIPE, text=True)
        if p.returncode != 0:
            return 1
        print("aero sweep: submitted Slurm job array %s; when it has finished: ./aero analyze %s"
              % (p.stdout.strip(), out), file=sys.stderr)
        return 0
    jobs = 1 if a.backend == "emu" else a.jobs

    def one(r):
        t0 = time.time()
        with open(os.path.join(out, r["dir"] + ".log"), "w") as log:
            rc = subprocess.run(r["cmd"], stdout=log, stderr=subprocess.STDOUT).returncode
        return r, rc, time.time() - t0

    failed = 0
    with cf.ThreadPoolExecutor(max_workers=jobs) as ex:
        for r, rc, dt in ex.map(one, runs):
            r["rc"] = rc
            failed += rc != 0
            print("aero sweep: %-50s %s (%.1f s)" % (r["dir"], "ok" if rc == 0 else "FAILED rc=%d, see %s.log" % (rc, r["dir"]), dt),
                  file=sys.stderr)
    with open(os.path.join(out, "sweep.json"), "w") as f:
        json.dump(sw, f, indent=1)
    if not a.no_analyze:
        sys.path.insert(0, HERE)
        import aero_analyze
        sys.stdout.flush()
        aero_analyze.main([out, "--no-pcap"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
