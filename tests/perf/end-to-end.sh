#!/usr/bin/env bash
# End-to-end performance, side by side, as a user runs it (issue: streaming replay and the Lambda path).
#
#   tests/perf/end-to-end.sh                  # everything; ~15 min on 2 idle cores, longer under load
#
# 1. publishes the CLI ReadyToRun and Native AOT (the build docs/cli.md recommends for large replays;
#    needs clang) and builds the benchmark program;
# 2. generates the corpus into $OUT/corpus (40,000 records, ~520 MB of JSON Lines, 30 % with 17–42 KB
#    prompts; Converse, InvokeModel and stream records; as .jsonl.gz and as 104 subscription events)
#    and one twice its size into $OUT/corpus2x — generated here, never committed;
# 3. runs, in alternating rounds, the floor (gunzip + one Utf8JsonReader pass per line),
#    `replay --no-alerts` (the per-record job alone, which the targets compare) and `replay` (with the
#    alert simulation, whose own wall and CPU time are reported separately) on both inputs, each with
#    both CLI builds (whose outputs must be byte-identical),
#    tests/perf/python_replay.py on both inputs (and `replay` as of $BEFORE when set), then prints
#    medians of wall and CPU time, the ratios against the targets (and the whole replay's, for
#    information), peak RSS on the corpus and on twice it, and the per-stage breakdown;
# 4. publishes `bootstrap` ReadyToRun and Native AOT and runs the 104 events through each via a
#    loopback Runtime API (ms per delivery, records/s, peak RSS, EMF bytes and UpdateItems per delivery).
#
# Environment: OUT (default /tmp/genaiobs-e2e), ROUNDS (default 5), BEFORE=<git revision> for a
# "before" column (or BEFORE_CLI=<a genaiobs executable> published earlier), SKIP_BOOTSTRAP=1,
# SKIP_AOT=1 (no Native AOT builds: the CLI's and bootstrap's), KEEP_CORPUS=1 (reuse $OUT/corpus* when present).
# Other builds on a shared machine disturb single runs: compare medians, and rerun when the spread is wide.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${OUT:-/tmp/genaiobs-e2e}"
ROUNDS="${ROUNDS:-5}"
RID="${RID:-linux-x64}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$OUT"

# Native AOT needs a C toolchain: clang, or a versioned clang-N passed to the ILCompiler.
CLANG_ARGS=()
if ! command -v clang >/dev/null 2>&1; then
  for candidate in clang-19 clang-18 clang-17 clang-16 clang-15 clang-14; do
    if command -v "$candidate" >/dev/null 2>&1; then CLANG_ARGS=("-p:CppCompilerAndLinker=$candidate"); break; fi
  done
fi

echo "== publishing the CLI (ReadyToRun$([ -z "${SKIP_AOT:-}" ] && echo ', Native AOT')) and building the benchmark program" >&2
dotnet publish "$ROOT/functions/GenAiObs.Cli" -c Release -r "$RID" --self-contained false \
  -p:PublishReadyToRun=true -o "$OUT/cli" >"$OUT/cli.log" 2>&1 || { tail -n 20 "$OUT/cli.log" >&2; exit 1; }
NATIVE_ARGS=()
if [ -z "${SKIP_AOT:-}" ]; then
  rm -rf "$OUT/native-cli" "$OUT/artifacts-native-cli"
  dotnet publish "$ROOT/functions/GenAiObs.Cli" -c Release -r "$RID" --self-contained true -p:PublishAot=true \
    -p:DebugType=none "${CLANG_ARGS[@]}" --artifacts-path "$OUT/artifacts-native-cli" -o "$OUT/native-cli" >"$OUT/native-cli.log" 2>&1 \
    && NATIVE_ARGS=(--native-cli "$OUT/native-cli/genaiobs") \
    || { tail -n 20 "$OUT/native-cli.log" >&2; echo "Native AOT publish of the CLI failed (it needs clang); SKIP_AOT=1 measures ReadyToRun only" >&2; exit 1; }
fi
dotnet build "$ROOT/tests/GenAiObs.Benchmarks" -c Release >"$OUT/bench.log" 2>&1 || { tail -n 20 "$OUT/bench.log" >&2; exit 1; }
BENCH=(dotnet "$ROOT/tests/GenAiObs.Benchmarks/bin/Release/net10.0/GenAiObs.Benchmarks.dll")

if [ -z "${KEEP_CORPUS:-}" ] || [ ! -f "$OUT/corpus/corpus.txt" ]; then
  echo "== generating the corpus" >&2
  "${BENCH[@]}" corpus "$OUT/corpus" >&2
fi
if [ -z "${KEEP_CORPUS:-}" ] || [ ! -f "$OUT/corpus2x/corpus.txt" ]; then
  "${BENCH[@]}" corpus "$OUT/corpus2x" --records 80000 --hours 48 >&2
fi

BEFORE_ARGS=()
if [ -n "${BEFORE_CLI:-}" ]; then
  BEFORE_ARGS=(--before-cli "$BEFORE_CLI")
elif [ -n "${BEFORE:-}" ]; then
  echo "== publishing the CLI as of $BEFORE" >&2
  rm -rf "$OUT/before-src" && mkdir -p "$OUT/before-src"
  git -C "$ROOT" archive "$BEFORE" | tar -x -C "$OUT/before-src"
  dotnet publish "$OUT/before-src/functions/GenAiObs.Cli" -c Release -r "$RID" --self-contained false \
    -p:PublishReadyToRun=true -o "$OUT/before-cli" >"$OUT/before-cli.log" 2>&1 || { tail -n 20 "$OUT/before-cli.log" >&2; exit 1; }
  BEFORE_ARGS=(--before-cli "$OUT/before-cli/genaiobs")
fi

echo "== side by side, $ROUNDS rounds" >&2
python3 "$ROOT/tests/perf/end_to_end.py" --cli "$OUT/cli/genaiobs" "${NATIVE_ARGS[@]}" "${BEFORE_ARGS[@]}" \
  --corpus "$OUT/corpus" --corpus2x "$OUT/corpus2x" --rounds "$ROUNDS" --floor "${BENCH[@]}" floor

if [ -z "${SKIP_BOOTSTRAP:-}" ]; then
  echo "== publishing bootstrap (ReadyToRun$([ -z "${SKIP_AOT:-}" ] && echo ', Native AOT'))" >&2
  FUNCTIONS="$ROOT/functions/GenAiObs.Functions/GenAiObs.Functions.csproj"
  VARIANTS=()
  rm -rf "$OUT/r2r" "$OUT/artifacts-r2r"
  dotnet publish "$FUNCTIONS" -c Release -r "$RID" --self-contained true -p:DebugType=none -p:PublishReadyToRun=true \
    --artifacts-path "$OUT/artifacts-r2r" -o "$OUT/r2r" >"$OUT/r2r.log" 2>&1 && VARIANTS+=("r2r=$OUT/r2r/bootstrap") \
    || { echo "ReadyToRun publish failed: $OUT/r2r.log" >&2; }
  if [ -z "${SKIP_AOT:-}" ]; then
    rm -rf "$OUT/aot" "$OUT/artifacts-aot"
    dotnet publish "$FUNCTIONS" -c Release -r "$RID" --self-contained true -p:DebugType=none -p:PublishAot=true \
      -p:PublishReadyToRun=false "${CLANG_ARGS[@]}" --artifacts-path "$OUT/artifacts-aot" -o "$OUT/aot" >"$OUT/aot.log" 2>&1 \
      && VARIANTS+=("aot=$OUT/aot/bootstrap") || { echo "Native AOT publish failed: $OUT/aot.log" >&2; }
  fi
  echo "== bootstrap: the corpus' subscription events through a loopback Runtime API and DynamoDB" >&2
  "${BENCH[@]}" deliveries "$OUT/corpus/events" --rounds 3 --dynamodb "${VARIANTS[@]}"
fi
