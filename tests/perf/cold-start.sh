#!/usr/bin/env bash
# Cold start of the `bootstrap` executable: publishes it for linux-x64 as
#   r2r      self-contained ReadyToRun (what the Makefile ships)
#   trimmed  self-contained ReadyToRun + PublishTrimmed
#   aot      Native AOT (PublishAot; needs clang — clang-14 is used when plain clang is absent)
# plus a hello-world custom runtime (tests/perf/HelloBootstrap) published the same three ways, then
# measures process start → first `next` and → first response POSTed to a loopback Runtime API
# (the benchmark program's `coldstart` mode), RUNS times each, interleaved.
#
#   tests/perf/cold-start.sh                 # RUNS=15, small event (100 Converse records)
#   RUNS=30 EVENT=max tests/perf/cold-start.sh   # the 1 MB-gzip delivery instead
#   DYNAMODB=1 tests/perf/cold-start.sh          # aggregation on: GENAIOBS_TABLE_NAME + a loopback DynamoDB
#   SKIP_PUBLISH=1 tests/perf/cold-start.sh      # measure what $OUT already holds
#
# A variant that fails to publish is reported (with the reason from its log) and skipped.
# Publish logs, trim/AOT warnings and outputs stay in $OUT (default /tmp/genaiobs-coldstart).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${OUT:-/tmp/genaiobs-coldstart}"
RUNS="${RUNS:-15}"
EVENT="${EVENT:-small}"
DYNAMODB_ARGS=()
[ -n "${DYNAMODB:-}" ] && DYNAMODB_ARGS=(--dynamodb)
RID="${RID:-linux-x64}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

CLANG_ARGS=()
if ! command -v clang >/dev/null 2>&1; then
  for candidate in clang-19 clang-18 clang-17 clang-16 clang-15 clang-14; do
    if command -v "$candidate" >/dev/null 2>&1; then CLANG_ARGS=("-p:CppCompilerAndLinker=$candidate"); break; fi
  done
fi

mkdir -p "$OUT"
declare -a VARIANTS=()

# publish NAME PROJECT ARGS...  →  $OUT/NAME/bootstrap
publish() {
  local name="$1" project="$2"; shift 2
  # Always from clean intermediates: an incremental trimmed publish over a stale obj folder once
  # produced a deps.json without the AWSSDK assemblies (FileNotFoundException at init).
  rm -rf "${OUT:?}/$name" "${OUT:?}/artifacts-$name"
  echo "publishing $name ..." >&2
  local started=$SECONDS
  if dotnet publish "$project" -c Release -r "$RID" --self-contained true -p:DebugType=none \
       --artifacts-path "$OUT/artifacts-$name" -o "$OUT/$name" "$@" >"$OUT/$name.log" 2>&1 \
     && [ -x "$OUT/$name/bootstrap" ]; then
    local warnings
    warnings=$(grep -oE 'warning (IL|IL[0-9]+)[0-9]*' "$OUT/$name.log" | sort -u | wc -l)
    echo "  $name: published in $((SECONDS - started)) s, $(du -sm "$OUT/$name" | cut -f1) MB, distinct IL warning codes: $warnings" >&2
    VARIANTS+=("$name=$OUT/$name/bootstrap")
  else
    echo "  $name: FAILED to publish (see $OUT/$name.log):" >&2
    grep -E 'error|Error' "$OUT/$name.log" | sort -u | head -n 5 >&2
  fi
}

FUNCTIONS="$ROOT/functions/GenAiObs.Functions/GenAiObs.Functions.csproj"
HELLO="$ROOT/tests/perf/HelloBootstrap/HelloBootstrap.csproj"
# Trim and AOT analysis warnings are reported, not fatal: the point is to see them.
ANALYSIS=(-p:TreatWarningsAsErrors=false -p:WarningsNotAsErrors=)

if [ -n "${SKIP_PUBLISH:-}" ]; then
  for name in r2r trimmed aot hello-r2r hello-trimmed hello-aot; do
    [ -x "$OUT/$name/bootstrap" ] && VARIANTS+=("$name=$OUT/$name/bootstrap")
  done
else
  publish r2r           "$FUNCTIONS" -p:PublishReadyToRun=true
  publish trimmed       "$FUNCTIONS" -p:PublishReadyToRun=true -p:PublishTrimmed=true "${ANALYSIS[@]}"
  publish aot           "$FUNCTIONS" -p:PublishAot=true -p:PublishReadyToRun=false "${ANALYSIS[@]}" "${CLANG_ARGS[@]}"
  publish hello-r2r     "$HELLO" -p:PublishReadyToRun=true
  publish hello-trimmed "$HELLO" -p:PublishReadyToRun=true -p:PublishTrimmed=true "${ANALYSIS[@]}"
  publish hello-aot     "$HELLO" -p:PublishAot=true -p:PublishReadyToRun=false "${ANALYSIS[@]}" "${CLANG_ARGS[@]}"
fi

for name in trimmed aot; do
  if [ -f "$OUT/$name.log" ]; then
    echo "--- $name: trim/AOT analysis warnings (first per code) ---" >&2
    grep -oE 'warning IL[0-9]+:[^[]*' "$OUT/$name.log" | sort | uniq | awk -F: '!seen[$1]++' | head -n 20 >&2
  fi
done

[ ${#VARIANTS[@]} -gt 0 ] || { echo "nothing published" >&2; exit 1; }
dotnet run -c Release --project "$ROOT/tests/GenAiObs.Benchmarks" -- coldstart --runs "$RUNS" --event "$EVENT" "${DYNAMODB_ARGS[@]}" "${VARIANTS[@]}"
