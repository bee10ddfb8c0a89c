#!/usr/bin/env python3
"""Times commands as whole processes and appends one JSON object per command to the results
file (the same shape the Rust benches write).

    measure.py --out results.jsonl [--runs N] [--warmup W] [--blocks K] \\
        --cmd ID LABEL 'COMMAND ARGS...' [--cmd ID LABEL 'COMMAND ARGS...' ...]

Commands compared with each other are measured in alternation, so that a change of load on
the machine during the run hits them alike: the N runs of each are split into K blocks
(A×N/K, B×N/K, A×N/K, B×N/K…) timed by hyperfine (-N: no shell, W warm-up runs per block)
when it is installed, or, without hyperfine (or with TANOS_BENCH_NO_HYPERFINE=1), run one by
one in turn (A, B, A, B…) by a Python loop (fork/exec + wait, time.perf_counter).

COMMAND is split like a shell would (shlex) but never run by a shell. It runs in the current
directory with its output discarded; a failing run stops everything with its stderr.
"""

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def summary(times_s):
    ms = sorted(t * 1000.0 for t in times_s)
    return {
        "runs": len(ms),
        "mean_ms": statistics.fmean(ms),
        "median_ms": statistics.median(ms),
        "min_ms": ms[0],
        "max_ms": ms[-1],
        "stddev_ms": statistics.pstdev(ms) if len(ms) > 1 else 0.0,
    }


def run_once(argv):
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode(errors="replace"))
        sys.exit(f"measure.py: {shlex.join(argv)} exited {proc.returncode}")


def hyperfine_block(hyperfine, argv, runs, warmup):
    """The run times (seconds) of one hyperfine call, or None if hyperfine failed."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        export = tmp.name
    try:
        proc = subprocess.run(
            [hyperfine, "-N", "--style", "none", "--warmup", str(warmup), "--runs", str(runs),
             "--export-json", export, shlex.join(argv)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr.decode(errors="replace"))
            return None
        with open(export) as f:
            return json.load(f)["results"][0]["times"]
    finally:
        os.unlink(export)


def with_hyperfine(hyperfine, cmds, runs, warmup, blocks):
    times = {c[0]: [] for c in cmds}
    per_block = [runs // blocks + (1 if i < runs % blocks else 0) for i in range(blocks)]
    for n in per_block:
        if n == 0:
            continue
        for cid, _, argv in cmds:
            got = hyperfine_block(hyperfine, argv, n, warmup)
            if got is None:
                return None
            times[cid].extend(got)
    version = subprocess.run([hyperfine, "--version"], capture_output=True, text=True)
    tool = f"{version.stdout.strip()} -N, {len(per_block)} alternating blocks"
    return times, tool


def with_loop(cmds, runs, warmup):
    for _ in range(warmup):
        for _, _, argv in cmds:
            run_once(argv)
    times = {c[0]: [] for c in cmds}
    for _ in range(runs):
        for cid, _, argv in cmds:
            start = time.perf_counter()
            run_once(argv)
            times[cid].append(time.perf_counter() - start)
    return times, "python3 loop, runs alternating (subprocess.run, perf_counter)"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--cmd", nargs=3, action="append", required=True,
                        metavar=("ID", "LABEL", "COMMAND"))
    args = parser.parse_args()
    cmds = [(cid, label, shlex.split(command)) for cid, label, command in args.cmd]
    blocks = max(1, min(args.blocks, args.runs))

    result = None
    hyperfine = shutil.which("hyperfine")
    if hyperfine and os.environ.get("TANOS_BENCH_NO_HYPERFINE") != "1":
        result = with_hyperfine(hyperfine, cmds, args.runs, args.warmup, blocks)
        if result is None:
            print("measure.py: hyperfine failed; timing in a Python loop", file=sys.stderr)
    if result is None:
        result = with_loop(cmds, args.runs, args.warmup)
    times, tool = result
    with open(args.out, "a") as f:
        for cid, label, argv in cmds:
            stats = summary(times[cid])
            record = {"id": cid, "label": label, "kind": "time", "command": shlex.join(argv),
                      "cwd": os.getcwd(), "tool": tool, **stats}
            f.write(json.dumps(record) + "\n")
            print(f"{cid:<28} {label:<52} median {stats['median_ms']:9.3f} ms  "
                  f"mean {stats['mean_ms']:9.3f} ms  (min {stats['min_ms']:.3f}, "
                  f"max {stats['max_ms']:.3f}, sd {stats['stddev_ms']:.3f}, "
                  f"n={stats['runs']}; {tool})")


if __name__ == "__main__":
    main()
