#!/usr/bin/env bash
# The project's one test command (README, .ci/run): installs the pinned test dependencies,
# starts the loopback services the integration tests talk to, runs every test, then the
# benchmark program's deterministic checks (`verify`, `maxbatch`), and stops the services.
#
# Fails when: a service it starts never comes up; any test fails; with CI=true, any test is
# skipped or none ran; `verify` or `maxbatch` reports a failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}" AWS_REGION="${AWS_REGION:-us-east-1}"
work="$(mktemp -d "${TMPDIR:-/tmp}/genaiobs-tests.XXXXXX")"

( cd tests && npm ci --no-audit --no-fund --loglevel=error )
# moto, the SAM transform and cfn-lint for the deploy simulation and template tests (a no-op when present).
python3 -m pip install -q --disable-pip-version-check -r tests/requirements.txt

# ---- services: each one is a block of three steps — pick a free port, start_service (starts
# it and waits until its port answers, or fails the run with the tail of its log), export the
# endpoint variable the tests read.
service_pids=()
stop_services() {
  for pid in "${service_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap stop_services EXIT

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# start_service NAME PORT COMMAND...: runs COMMAND in the background (log: $work/NAME.log) and
# waits up to 30 s until 127.0.0.1:PORT accepts a connection; exits 1 if it never does or the
# process dies first.
start_service() {
  local name="$1" port="$2"
  shift 2
  "$@" >"$work/$name.log" 2>&1 &
  local pid=$!
  service_pids+=("$pid")
  for _ in $(seq 1 300); do
    if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "run-tests: $name is up on 127.0.0.1:$port"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "run-tests: FAILED: $name did not come up on 127.0.0.1:$port; last lines of its log:" >&2
  tail -n 20 "$work/$name.log" >&2 || true
  exit 1
}

# dynalite (DynamoDB API): the store, alert-state, CLI and fault-injection integration tests.
dynalite_port="$(free_port)"
start_service dynalite "$dynalite_port" node tests/node_modules/dynalite/cli.js --port "$dynalite_port" --host 127.0.0.1
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$dynalite_port"

# moto (a simulated AWS account: CloudFormation, Lambda, IAM, S3, SNS, SQS, SSM, Logs, Bedrock):
# the deploy simulation test.
moto_port="$(free_port)"
start_service moto "$moto_port" python3 -m moto.server -H 127.0.0.1 -p "$moto_port"
export GENAIOBS_TEST_MOTO_ENDPOINT="http://127.0.0.1:$moto_port"

# ---- tests: counts come from the TRX report (VSTest's own counters), not from console text.
status=0
dotnet test GenAiObsLambdas.sln -c Release --logger "trx;LogFileName=results.trx" --results-directory "$work/results" "$@" || status=$?

trx="$(find "$work/results" -name '*.trx' 2>/dev/null | head -n 1)"
if [[ -z "$trx" ]]; then
  echo "run-tests: FAILED: no test results (did the build fail?)" >&2
  exit 1
fi
counter() { grep -o "<Counters [^>]*" "$trx" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
total="$(counter total)"
executed="$(counter executed)"
passed="$(counter passed)"
failed="$(counter failed)"
# VSTest counts a skipped test in total but not in executed (its notExecuted counter stays 0).
skipped=$((total - executed))
echo "run-tests: $executed executed ($passed passed, $failed failed), $skipped skipped"
if [[ "$skipped" != 0 ]]; then
  grep -o '<UnitTestResult [^>]*outcome="NotExecuted"' "$trx" | grep -o 'testName="[^"]*"' | sed 's/^/run-tests: skipped: /'
fi
if [[ "${CI:-}" == "true" ]]; then
  if [[ "$skipped" != 0 ]]; then
    echo "run-tests: FAILED: $skipped test(s) skipped in a CI run" >&2
    status=1
  fi
  if [[ "$executed" == 0 ]]; then
    echo "run-tests: FAILED: no test ran in a CI run" >&2
    status=1
  fi
fi
[[ "$status" == 0 ]] || exit "$status"

# ---- deterministic benchmark checks: EMF lines and DynamoDB
# requests per delivery (`verify`), and the largest delivery under a 64 MB GC heap (`maxbatch`).
# Throughput and allocation rates stay benchmarks (docs/performance.md), not pass/fail checks.
# Skipped when the run was narrowed with dotnet test arguments (e.g. --filter).
if [[ $# -eq 0 ]]; then
  # `dotnet test` builds only the test projects and what they reference: build the benchmark
  # program itself, or a clean checkout has no GenAiObs.Benchmarks.dll to run.
  dotnet build tests/GenAiObs.Benchmarks/GenAiObs.Benchmarks.csproj -c Release --nologo -v quiet
  benchmarks="tests/GenAiObs.Benchmarks/bin/Release/net10.0/GenAiObs.Benchmarks.dll"
  dotnet "$benchmarks" verify
  dotnet "$benchmarks" maxbatch
fi
# The closing line in the plain form CI reads.
echo "tests: $passed passed, $failed failed, $skipped skipped"
