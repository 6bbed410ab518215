#!/usr/bin/env python3
"""The per-record work of `genaiobs replay`, written the way a Python Lambda would do it.

The end-to-end benchmark (tests/perf/end-to-end.sh) runs this beside the .NET replay on the same
files. The algorithm is that of the usage processor in the AWS sample "sample-bedrock-spend-controls":
`json.loads` of the envelope and of every message, field extraction with defaults, an assumed-role
regex on the caller's ARN, a price lookup that strips the cross-region inference prefix, and the
cost in integer micro-dollars, totalled per model and per role.

    python_replay.py FILE.jsonl.gz          # JSON Lines of raw records (gzip or plain)
    python_replay.py events/event-*.json    # CloudWatch Logs subscription events as Lambda receives them

Prints one JSON summary line (records, errors, tokens, micro-dollars, per-model counts).
"""
import base64
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRICES_FILE = ROOT / "functions" / "GenAiObs.Core" / "Pricing" / "default-prices.json"

# arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION -> ROLE (the session name is never kept).
ASSUMED_ROLE = re.compile(r"^arn:aws[a-z-]*:sts::(\d{12}):assumed-role/([^/]+)/.+$")
# Cross-region inference profiles prefix the model id with a geography (us., eu., apac., global. ...).
PROFILE_PREFIX = re.compile(r"^(us|eu|apac|au|jp|ca|us-gov|global)\.")


def load_prices():
    with open(PRICES_FILE, "rb") as handle:
        table = json.load(handle)
    # USD per 1M tokens is exactly micro-dollars per token.
    return table["models"]


class Totals:
    def __init__(self):
        self.records = 0
        self.errors = 0
        self.unpriced = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.micro_usd = 0
        self.by_model = {}
        self.by_role = {}

    def add(self, record, prices):
        self.records += 1
        model_id = record.get("modelId", "") or ""
        body_in = record.get("input") or {}
        body_out = record.get("output") or {}
        input_tokens = int(body_in.get("inputTokenCount", 0) or 0)
        output_tokens = int(body_out.get("outputTokenCount", 0) or 0)
        cache_read = int(body_in.get("cacheReadInputTokenCount", 0) or 0)
        cache_write = int(body_in.get("cacheWriteInputTokenCount", 0) or 0)
        error = record.get("errorCode")
        arn = (record.get("identity") or {}).get("arn", "") or ""
        match = ASSUMED_ROLE.match(arn)
        role = match.group(2) if match else arn

        price = prices.get(PROFILE_PREFIX.sub("", model_id, count=1))
        cost = 0
        if error:
            self.errors += 1
        elif price is None:
            self.unpriced += 1
        else:
            cost = round(
                input_tokens * price.get("inputPerMillion", 0)
                + output_tokens * price.get("outputPerMillion", 0)
                + cache_read * (price.get("cacheReadPerMillion") or 0)
                + cache_write * (price.get("cacheWritePerMillion") or 0)
            )

        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        self.micro_usd += cost
        model = self.by_model.setdefault(model_id, [0, 0])
        model[0] += 1
        model[1] += cost
        principal = self.by_role.setdefault(role, [0, 0])
        principal[0] += 1
        principal[1] += cost

    def summary(self):
        return {
            "records": self.records,
            "errors": self.errors,
            "unpriced": self.unpriced,
            "inputTokens": self.input_tokens,
            "outputTokens": self.output_tokens,
            "costMicroUsd": self.micro_usd,
            "models": {name: counts[0] for name, counts in sorted(self.by_model.items())},
            "roles": len(self.by_role),
        }


def replay_json_lines(path, totals, prices):
    with open(path, "rb") as probe:
        opener = gzip.open if probe.read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as handle:
        for line in handle:
            if line.strip():
                totals.add(json.loads(line), prices)


def replay_subscription_event(path, totals, prices):
    with open(path, "rb") as handle:
        event = json.load(handle)
    payload = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    if payload.get("messageType") != "DATA_MESSAGE":
        return
    for log_event in payload.get("logEvents", []):
        totals.add(json.loads(log_event["message"]), prices)


def main(paths):
    prices = load_prices()
    totals = Totals()
    for path in paths:
        if path.endswith(".json") and not path.endswith(".jsonl"):
            replay_subscription_event(path, totals, prices)
        else:
            replay_json_lines(path, totals, prices)
    print(json.dumps(totals.summary()))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
