#!/usr/bin/env python3
"""Generates the bundled sample that sets the month's spending pace (functions/GenAiObs.Cli/samples/
bedrock-invocation-logs.weekday-batch.json.gz).

Deterministic (fixed seed; re-running reproduces the file byte for byte) and separate from
generate-samples.py, so neither changes the other's random stream. A nightly report-building batch
of the analytics team runs on weekdays only (Monday 2 to Friday 6 November 2026, 02:00-03:00 UTC):
30 Sonnet calls a night with 38k-42k-token contexts, about $3.9 a night. With the rest of the
samples (about $0.7 a day) the month's pace is weekday-heavy, and at that pace November ends near
$100: over the $80 budget that samples.env sets for replay, while month-to-date spend stays below
80 % of it through the last sample day. So replaying the samples raises BudgetForecastExceeded
(from the first evaluation with three complete days, 4 November 00:00) and neither
BudgetThreshold nor MonthlyBudgetExceeded. The batch runs at night and not on Sundays, so the
hour-of-week volume of the incident day (Sunday 8 November) and its planted incidents are
unchanged. All content is invented.
"""
import gzip, json, os, random
from datetime import datetime, timedelta, timezone

rng = random.Random(20261104)
OUT = os.environ.get("GENAIOBS_SAMPLES_OUT", "functions/GenAiObs.Cli/samples")
ACCOUNT = "111122223333"
ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/analytics-etl-role/batch-7781"
MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
NIGHTS = [datetime(2026, 11, day, 2, tzinfo=timezone.utc) for day in range(2, 7)]  # Monday to Friday
CALLS_PER_NIGHT = 30


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def record(t):
    in_tok = rng.randint(38000, 42000)
    out_tok = rng.randint(300, 600)
    latency = int(400 + out_tok * rng.uniform(6, 12))
    request_id = "%08x-%04x-4%03x-b%03x-%012x" % (
        rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12), rng.getrandbits(12), rng.getrandbits(48))
    return {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": iso(t), "accountId": ACCOUNT,
            "identity": {"arn": ARN}, "region": "us-east-1", "requestId": request_id, "operation": "Converse",
            "modelId": MODEL, "inferenceRegion": "us-east-1",
            "requestMetadata": {"team": "data", "application": "report-builder", "environment": "prod"},
            "input": {"inputContentType": "application/json", "inputTokenCount": in_tok,
                      "cacheReadInputTokenCount": 0, "cacheWriteInputTokenCount": 0,
                      "inputBodyJson": {"messages": [{"role": "user", "content": [{"text": "Build the nightly regional sales report from the attached extract."}]}],
                                        "inferenceConfig": {"maxTokens": 1024}}},
            "output": {"outputContentType": "application/json", "outputTokenCount": out_tok,
                       "outputBodyJson": {"output": {"message": {"role": "assistant", "content": [{"text": "An invented report summary for the sample data."}]}},
                                          "stopReason": "end_turn", "metrics": {"latencyMs": latency},
                                          "usage": {"inputTokens": in_tok, "outputTokens": out_tok, "totalTokens": in_tok + out_tok,
                                                    "cacheReadInputTokens": 0, "cacheWriteInputTokens": 0}}}}


def main():
    recs = [record(night + timedelta(seconds=rng.randint(0, 3599))) for night in NIGHTS for _ in range(CALLS_PER_NIGHT)]
    recs.sort(key=lambda r: r["timestamp"])
    events = []
    for n, r in enumerate(recs):
        ts = int(datetime.strptime(r["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() * 1000)
        events.append({"logStreamName": "aws/bedrock/modelinvocations", "timestamp": ts + 150,
                       "message": json.dumps(r, separators=(",", ":")), "ingestionTime": ts + 900,
                       "eventId": str(38000000000000000000000000000000000000000000000000000000 + n)[:56]})
    with open(f"{OUT}/bedrock-invocation-logs.weekday-batch.json.gz", "wb") as f:
        f.write(gzip.compress(json.dumps({"events": events, "searchedLogStreams": []}).encode(), mtime=0))
    print(f"{len(recs)} invocation records")


if __name__ == "__main__":
    main()
