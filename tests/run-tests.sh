#!/usr/bin/env bash
# The project's one test command (README, .ci/run): installs the pinned test dependencies,
# starts dynalite on a free loopback port, runs every test, stops dynalite.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

( cd tests && npm ci --no-audit --no-fund --loglevel=error )

port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
node tests/node_modules/dynalite/cli.js --port "$port" --host 127.0.0.1 >"${TMPDIR:-/tmp}/genaiobs-dynalite-$port.log" 2>&1 &
dynalite_pid=$!
trap 'kill "$dynalite_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done

# The integration tests talk to this server through the SDK's standard endpoint variable.
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$port"
export GENAIOBS_TEST_DYNALITE=1
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}" AWS_REGION="${AWS_REGION:-us-east-1}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log="$(mktemp)"
status=0
dotnet test GenAiObsLambdas.sln -c Release "$@" 2>&1 | tee "$log" || status=$?
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
