#!/usr/bin/env python3
"""Runs the end-to-end comparison side by side; driven by tests/perf/end-to-end.sh (read that first).

Every program reads the same corpus; the programs run one after another within a round, rounds
repeat, and medians are reported, so load from other work on the machine hits all of them alike.
Wall time is measured around each process, peak RSS is the process's own (wait4's ru_maxrss).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(command):
    """Runs command; returns (seconds, peak RSS MB, stdout, stderr, CPU seconds user+sys)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout_chunks, stderr_chunks = [], []
    # communicate() would wait(); wait4 must reap the child to get its own rusage.
    out, err = process.stdout.read(), process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stdout_chunks.append(out)
    stderr_chunks.append(err)
    if process.returncode != 0:
        sys.exit(f"{' '.join(map(str, command))} failed ({process.returncode}):\n{err.decode(errors='replace')[-3000:]}")
    return seconds, usage.ru_maxrss / 1024.0, b"".join(stdout_chunks).decode(), b"".join(stderr_chunks).decode(), usage.ru_utime + usage.ru_stime


def stat(pattern, text):
    match = re.search(pattern, text)
    return float(match.group(1)) if match else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True, help="the genaiobs CLI (published ReadyToRun)")
    parser.add_argument("--native-cli", help="the genaiobs CLI published Native AOT: measured beside --cli, its output must be byte-identical")
    parser.add_argument("--before-cli", help="the CLI as it was before this work, for the 'before' column")
    parser.add_argument("--floor", required=True, nargs="+", help="command prefix of the floor program")
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--corpus2x", help="a corpus twice the size: peak RSS of replay must stay within 10 %%")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    corpus = Path(args.corpus)
    jsonl = str(corpus / "corpus.jsonl.gz")
    events = sorted(str(p) for p in (corpus / "events").glob("event-*.json"))
    python = [sys.executable, str(HERE / "python_replay.py")]
    # "replay --no-alerts" is the per-record job alone (decode, parse, price, aggregate, summaries),
    # the work the floor and Python do: the targets compare its whole-process wall time.
    # "replay" adds the alert simulation, reported for information with the simulation's own line.
    builds = {"": args.cli}
    if args.native_cli:
        builds["native: "] = args.native_cli
    programs = {"floor (jsonl)": args.floor + [jsonl]}
    for prefix, cli in builds.items():
        programs[f"{prefix}replay --no-alerts jsonl"] = [cli, "replay", "--json", "--stats", "--no-alerts", jsonl]
        programs[f"{prefix}replay jsonl"] = [cli, "replay", "--json", "--stats", jsonl]
    programs["python jsonl"] = python + [jsonl]
    for prefix, cli in builds.items():
        programs[f"{prefix}replay --no-alerts events"] = [cli, "replay", "--json", "--stats", "--no-alerts"] + events
        programs[f"{prefix}replay events"] = [cli, "replay", "--json", "--stats"] + events
    programs["python events"] = python + events
    if args.before_cli:
        programs["before: replay jsonl"] = [args.before_cli, "replay", "--json", "--stats", jsonl]
        programs["before: replay events"] = [args.before_cli, "replay", "--json", "--stats"] + events
    if args.corpus2x:
        corpus2x = str(Path(args.corpus2x) / "corpus.jsonl.gz")
        for prefix, cli in builds.items():
            programs[f"{prefix}replay --no-alerts jsonl 2x"] = [cli, "replay", "--json", "--stats", "--no-alerts", corpus2x]
            programs[f"{prefix}replay jsonl 2x"] = [cli, "replay", "--json", "--stats", corpus2x]

    results = {name: [] for name in programs}
    for round_number in range(args.rounds):
        for name, command in programs.items():
            seconds, rss, out, err, cpu = run(command)
            results[name].append((seconds, rss, out, err, cpu))
            stats = " | ".join(line for line in err.splitlines() if line.startswith(("replay stats:", "replay stages:", "floor:")))
            print(f"round {round_number + 1}: {name}: {seconds:.2f} s, {cpu:.2f} s CPU, {rss:.0f} MB {stats}", file=sys.stderr, flush=True)

    def median(name, index=0):
        return statistics.median(r[index] for r in results[name])

    # The programs must agree on what they counted, and --no-alerts must print replay's output less its alerts.
    replayed = json.loads(results["replay jsonl"][0][2])["invocations"]
    replayed_events = json.loads(results["replay events"][0][2])["invocations"]
    pythoned = json.loads(results["python jsonl"][0][2])
    pythoned_events = json.loads(results["python events"][0][2])
    counts = (replayed["records"], replayed_events["records"], pythoned["records"], pythoned_events["records"])
    if len(set(counts)) != 1:
        sys.exit(f"record counts differ (replay jsonl, replay events, python jsonl, python events): {counts}")
    for prefix in builds:
        for with_alerts, without in (("replay jsonl", "replay --no-alerts jsonl"), ("replay events", "replay --no-alerts events"), ("replay jsonl 2x", "replay --no-alerts jsonl 2x")):
            if prefix + with_alerts in results:
                full = json.loads(results[prefix + with_alerts][0][2])
                full.pop("alerts")
                if full != json.loads(results[prefix + without][0][2]):
                    sys.exit(f"{prefix}{without} does not print {prefix}{with_alerts}'s output less its alerts")
    # The Native AOT build is the same program: every output of it, in every round, byte for byte.
    if args.native_cli:
        for name in results:
            if name.startswith("native: "):
                for round_number, (native, ready_to_run) in enumerate(zip(results[name], results[name.removeprefix("native: ")])):
                    if native[2] != ready_to_run[2]:
                        sys.exit(f"round {round_number + 1}: {name} printed other output than the ReadyToRun build")

    print(f"\nCorpus: {(corpus / 'corpus.txt').read_text().strip()}")
    print(f"Records: {counts[0]} in every program; replay's cost {replayed['costUsd']} USD, python's {pythoned['costMicroUsd'] / 1e6:.6f} USD.")
    print(f"{args.rounds} rounds, programs alternating within each round; medians (min–max).\n")
    print("| program | wall s | CPU s (user+sys) | peak RSS MB | alert simulation s (CPU s) |")
    print("|---|---:|---:|---:|---:|")
    for name in programs:
        walls = [r[0] for r in results[name]]
        alerts = [stat(r"alert simulation ([0-9.]+) s", r[3]) for r in results[name]]
        alert_cpus = [stat(r"alert simulation [0-9.]+ s \(([0-9.]+) s CPU\)", r[3]) for r in results[name]]
        alert = f"{statistics.median(alerts):.3f} ({statistics.median(alert_cpus):.3f})" if not any(a != a for a in alerts + alert_cpus) else "—"
        print(f"| {name} | {statistics.median(walls):.2f} ({min(walls):.2f}–{max(walls):.2f}) | {median(name, 4):.2f} | {median(name, 1):.0f} | {alert} |")

    floor = median("floor (jsonl)")
    print("\nTargets: the per-record job (`replay --no-alerts`, whole process) against the floor and Python;")
    print("the whole `replay` (with the alert simulation) for information.\n")
    print("| target | measured | met |")
    print("|---|---:|---|")
    for prefix in builds:
        build = "Native AOT" if prefix else "ReadyToRun"
        jsonl_ratio = median(f"{prefix}replay --no-alerts jsonl") / floor
        events_ratio = median(f"{prefix}replay --no-alerts events") / median("python events")
        print(f"| {build}: JSON Lines replay ≤ 1.5 × floor | {jsonl_ratio:.2f} × | {'yes' if jsonl_ratio <= 1.5 else 'NO'} |")
        print(f"| {build}: subscription-event replay ≤ 0.30 × Python | {events_ratio:.2f} × ({1 / events_ratio:.1f}× faster; {median(f'{prefix}replay --no-alerts events') / min(r[0] for r in results['python events']):.2f} × Python's fastest round) | {'yes' if events_ratio <= 0.30 else 'NO'} |")
        print(f"| {build}: (information) whole `replay` JSON Lines vs floor | {median(f'{prefix}replay jsonl') / floor:.2f} × | |")
        print(f"| {build}: (information) whole `replay` events vs Python | {median(f'{prefix}replay events') / median('python events'):.2f} × | |")
        print(f"| {build}: (information) alert simulation, JSON Lines / events | {statistics.median(stat(r'alert simulation ([0-9.]+) s', r[3]) for r in results[f'{prefix}replay jsonl']):.2f} s / {statistics.median(stat(r'alert simulation ([0-9.]+) s', r[3]) for r in results[f'{prefix}replay events']):.2f} s | |")
        print(f"| {build}: (information) JSON Lines replay --no-alerts vs Python | {median(f'{prefix}replay --no-alerts jsonl') / median('python jsonl'):.2f} × | |")
        rss, rss_events = median(f"{prefix}replay jsonl", 1), median(f"{prefix}replay events", 1)
        print(f"| {build}: replay peak RSS ≤ 256 MB | {rss:.0f} MB (jsonl), {rss_events:.0f} MB (events) | {'yes' if rss <= 256 and rss_events <= 256 else 'NO'} |")
        if args.corpus2x:
            rss2 = median(f"{prefix}replay jsonl 2x", 1)
            print(f"| {build}: peak RSS on twice the corpus within 10 % | {rss2:.0f} MB vs {rss:.0f} MB ({rss2 / rss - 1:+.0%}) | {'yes' if rss2 <= 256 and abs(rss2 / rss - 1) <= 0.10 else 'NO'} |")
            rss_plain, rss_plain2 = median(f"{prefix}replay --no-alerts jsonl", 1), median(f"{prefix}replay --no-alerts jsonl 2x", 1)
            print(f"| {build}: `--no-alerts` peak RSS on twice the corpus within 10 % | {rss_plain2:.0f} MB vs {rss_plain:.0f} MB ({rss_plain2 / rss_plain - 1:+.0%}) | {'yes' if rss_plain2 <= 256 and abs(rss_plain2 / rss_plain - 1) <= 0.10 else 'NO'} |")

    print("\nStages (`replay --stats`, median round):")
    for name in (prefix + name for prefix in builds for name in ("replay --no-alerts jsonl", "replay jsonl", "replay --no-alerts events", "replay events")):
        ordered = sorted(results[name], key=lambda r: r[0])
        stages = re.search(r"replay stages: (.*)", ordered[len(ordered) // 2][3])
        print(f"- {name}: {stages.group(1) if stages else '(none)'}")


if __name__ == "__main__":
    main()
