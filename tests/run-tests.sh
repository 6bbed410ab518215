#!/usr/bin/env bash
# The project's one test command (README, .ci/run): installs the pinned test dependencies,
# starts dynalite on a free loopback port, runs every test, stops dynalite.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

( cd tests && npm ci --no-audit --no-fund --loglevel=error )
# moto, the SAM transform and cfn-lint for the deploy simulation and template tests (a no-op when present).
python3 -m pip install -q --disable-pip-version-check -r tests/requirements.txt

port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
node tests/node_modules/dynalite/cli.js --port "$port" --host 127.0.0.1 >"${TMPDIR:-/tmp}/genaiobs-dynalite-$port.log" 2>&1 &
dynalite_pid=$!
trap 'kill "$dynalite_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done

# A simulated AWS account (moto) for the deploy simulation test, on its own free loopback port.
moto_port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
python3 -m moto.server -H 127.0.0.1 -p "$moto_port" >"${TMPDIR:-/tmp}/genaiobs-moto-$moto_port.log" 2>&1 &
moto_pid=$!
trap 'kill "$dynalite_pid" "$moto_pid" 2>/dev/null || true' EXIT
moto_up=0
for _ in $(seq 1 300); do
  if (echo >"/dev/tcp/127.0.0.1/$moto_port") 2>/dev/null; then moto_up=1; break; fi
  sleep 0.1
done
if [ "$moto_up" != 1 ]; then
  echo "moto server did not start on 127.0.0.1:$moto_port (log: ${TMPDIR:-/tmp}/genaiobs-moto-$moto_port.log)" >&2
  exit 1
fi
export GENAIOBS_TEST_MOTO_ENDPOINT="http://127.0.0.1:$moto_port"

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
