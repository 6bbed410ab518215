#!/usr/bin/env python3
"""Generates the CLI's bundled sample data (functions/GenAiObs.Cli/samples/).

Deterministic (fixed seed): re-running it reproduces the committed files byte for byte.
Eight days of Bedrock model invocation logs for a small invented company plus one day of agent
spans. The last day carries the incidents the default alert rules should catch, each one
alone in its time slot (UTC, 2026-11-08) so a test can name the alert it must raise and when:

  10:00-10:15  throttling burst: 40 Sonnet calls, 32 throttled      -> ErrorRateHigh (PagerDuty)
  11:00-12:00  6 calls to a model without a price                    -> UnpricedModelInUse (Slack ops)
  13:00-15:00  truncated answers: 30 calls an hour, 3 in 4 max_tokens -> CompletionRateLow (Slack ops)
  16:00-16:40  a runaway agent loop on Sonnet with long contexts    -> DailyCostAboveBaseline (PagerDuty)
  16:05-16:16  the same loop as one agent session of 130 model calls -> RunawayAgentSession (PagerDuty)

quality-experiment.jsonl.gz (its own random stream, so the files above stay byte for byte the same):
an A/B experiment on the feature "ticket-summary" over the same eight days. Arm A (prompt template
ticket-summary@v1) and arm B (@v2, shorter answers, so cheaper) take 40 tagged Converse calls each a
day; each call also has a tagged agent span carrying a gen_ai.evaluation.result event
(Builtin.Helpfulness), and 60 % of the calls get a user-feedback event (thumbs up/down, joined by
requestId). Until 2026-11-07 both arms satisfy 85 % of users and score about 0.85. The planted
regression: on 2026-11-08 arm B satisfies 40 % and scores about 0.55 -> QualityDrop for
ticket-summary (Slack ops), and replay's A/B comparison shows B cheaper but less satisfying.

The incidents are shaped so that nothing else pages: the truncated answers are short (a small
maxTokens), so their cost stays within the baseline, and the runaway's turns are short tool
calls, so invocation latency stays below the 10 s p95 threshold.
tests/GenAiObs.Tests/Cli/Commands/PlantedIncidentsTests.cs asserts this table. All content (prompts, answers, names) is invented.
"""
import base64, gzip, io, json, os, random
from datetime import datetime, timedelta, timezone

rng = random.Random(20261127)
OUT = os.environ.get("GENAIOBS_SAMPLES_OUT", "functions/GenAiObs.Cli/samples")
START = datetime(2026, 11, 1, tzinfo=timezone.utc)
ACCOUNT = "111122223333"

PRINCIPALS = [  # (arn, weight) — session names hold e-mails on purpose: they must never surface
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/support-assistant-role/jane.doe@example.com", 5),
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/analytics-etl-role/batch-7781", 3),
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/dev-sandbox-role/raj.patel@example.com", 1),
    (f"arn:aws:iam::{ACCOUNT}:user/ci-bot", 1),
]
TEAMS = {"support-assistant-role": ("support", "helpdesk-bot"), "analytics-etl-role": ("data", "report-builder"),
         "dev-sandbox-role": ("platform", "playground"), "ci-bot": ("platform", "ci-evals")}
MODELS = [  # (logged model id, operation mix, weight)
    ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", ["Converse", "ConverseStream"], 4),
    ("us.anthropic.claude-haiku-4-5-20251001-v1:0", ["Converse", "InvokeModelWithResponseStream"], 4),
    ("amazon.nova-lite-v1:0", ["Converse"], 2),
    ("anthropic.claude-3-haiku-20240307-v1:0", ["InvokeModel"], 1),
    ("meta.llama3-1-8b-instruct-v1:0", ["InvokeModel"], 1),
]
QUESTIONS = ["How do I reset my password?", "Summarise ticket 4411 for the weekly report.",
             "Draft a polite reply about the delayed shipment.", "List three risks in this rollout plan.",
             "Translate the release notes into Spanish."]


def pick(weighted):
    total = sum(w for *_, w in weighted)
    r = rng.uniform(0, total)
    for item in weighted:
        r -= item[-1]
        if r <= 0:
            return item
    return weighted[-1]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def invocation(t, model=None, op=None, principal=None, stop=None, error=None, in_tok=None, out_tok=None, cache_read=0,
               max_tokens=1024):
    if model is None:
        model, ops, _ = pick(MODELS)
        op = op or rng.choice(ops)
    op = op or "Converse"
    arn = principal or pick(PRINCIPALS)[0]
    role = arn.split("/")[1]
    team, app = TEAMS.get(role, ("platform", "misc"))
    in_tok = in_tok if in_tok is not None else rng.randint(300, 2500)
    out_tok = out_tok if out_tok is not None else rng.randint(80, 700)
    stop = stop or rng.choices(["end_turn", "tool_use", "max_tokens"], [88, 10, 2])[0]
    latency = int(400 + out_tok * rng.uniform(6, 14))
    q = rng.choice(QUESTIONS)
    rec = {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": iso(t), "accountId": ACCOUNT,
           "identity": {"arn": arn}, "region": "us-east-1", "requestId": "%08x-%04x-4%03x-a%03x-%012x" % (
               rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12), rng.getrandbits(12), rng.getrandbits(48)),
           "operation": op, "modelId": model,
           "requestMetadata": {"team": team, "application": app, "environment": "prod"}}
    if model.startswith("us."):
        rec["inferenceRegion"] = rng.choice(["us-east-1", "us-east-1", "us-east-2", "us-west-2"])
    inp = {"inputContentType": "application/json", "inputTokenCount": in_tok,
           "cacheReadInputTokenCount": cache_read, "cacheWriteInputTokenCount": 0}
    if op.startswith("Converse"):
        inp["inputBodyJson"] = {"messages": [{"role": "user", "content": [{"text": q}]}],
                                "inferenceConfig": {"maxTokens": max_tokens}}
    elif "anthropic" in model:
        inp["inputBodyJson"] = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 1024,
                                "messages": [{"role": "user", "content": q}]}
    else:
        inp["inputBodyJson"] = {"prompt": q, "max_gen_len": 512}
    rec["input"] = inp
    if error:
        rec["errorCode"] = error
        rec["output"] = {"outputTokenCount": 0}
        return rec
    answer = "Here is a short, invented answer for the sample data."
    if op.startswith("Converse"):
        body = {"output": {"message": {"role": "assistant", "content": [{"text": answer}]}}, "stopReason": stop,
                "metrics": {"latencyMs": latency},
                "usage": {"inputTokens": in_tok, "outputTokens": out_tok, "totalTokens": in_tok + out_tok,
                          "cacheReadInputTokens": cache_read, "cacheWriteInputTokens": 0}}
    elif op == "InvokeModelWithResponseStream":
        body = [{"type": "message_start", "message": {"role": "assistant", "model": model, "usage": {"input_tokens": in_tok}}},
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": answer}},
                {"type": "message_delta", "delta": {"stop_reason": stop}, "usage": {"output_tokens": out_tok}},
                {"type": "message_stop", "amazon-bedrock-invocationMetrics": {
                    "inputTokenCount": in_tok, "outputTokenCount": out_tok, "invocationLatency": latency,
                    "firstByteLatency": int(latency * rng.uniform(0.15, 0.35))}}]
    elif "anthropic" in model:
        body = {"id": "msg_bdrk_01", "type": "message", "role": "assistant", "content": [{"type": "text", "text": answer}],
                "stop_reason": stop, "usage": {"input_tokens": in_tok, "output_tokens": out_tok}}
    else:
        body = {"generation": answer, "prompt_token_count": in_tok, "generation_token_count": out_tok,
                "stop_reason": "length" if stop == "max_tokens" else "stop"}
    rec["output"] = {"outputContentType": "application/json", "outputBodyJson": body, "outputTokenCount": out_tok}
    return rec


def invocations():
    recs = []
    for day in range(8):
        for hour in range(24):
            busy = 9 <= hour <= 18
            n = rng.randint(5, 8) if busy else rng.randint(1, 3)
            for _ in range(n):
                t = START + timedelta(days=day, hours=hour, seconds=rng.randint(0, 3599))
                recs.append(invocation(t))
    last = START + timedelta(days=7)
    # 10:00-10:15 throttling burst: most calls to Sonnet fail.
    for i in range(40):
        t = last + timedelta(hours=10, seconds=rng.randint(0, 880))
        err = "ThrottlingException" if i % 5 else None
        recs.append(invocation(t, model="us.anthropic.claude-sonnet-4-5-20250929-v1:0", op="Converse", error=err))
    # 13:00-15:00 truncation streak from a prompt change that set maxTokens to 256: short, cheap answers.
    for hour in (13, 14):
        for i in range(30):
            t = last + timedelta(hours=hour, seconds=rng.randint(0, 3599))
            recs.append(invocation(t, model="us.anthropic.claude-haiku-4-5-20251001-v1:0", op="Converse",
                                   principal=PRINCIPALS[0][0], stop="max_tokens" if i % 4 else "end_turn",
                                   out_tok=256, max_tokens=256))
    # 16:00-16:40 a runaway agent loop on Sonnet with long contexts: the day's cost spike. Its turns
    # are short tool calls (150-450 output tokens, so under 7 s each).
    for i in range(220):
        t = last + timedelta(hours=16, seconds=rng.randint(0, 2400))
        recs.append(invocation(t, model="us.anthropic.claude-sonnet-4-5-20250929-v1:0", op="Converse",
                               principal=PRINCIPALS[2][0], stop="tool_use", in_tok=rng.randint(28000, 42000),
                               out_tok=rng.randint(150, 450), cache_read=rng.randint(0, 8000)))
    # A model nobody priced yet (invented id: newer than any price table).
    for i in range(6):
        t = last + timedelta(hours=11, seconds=rng.randint(0, 3599))
        recs.append(invocation(t, model="us.example.new-model-v1:0", op="Converse", principal=PRINCIPALS[3][0]))
    recs.sort(key=lambda r: r["timestamp"])
    return recs


def hexid(bits):
    return "%0*x" % (bits // 4, rng.getrandbits(bits))


def spans():
    out = []
    day = START + timedelta(days=7)
    res = {"service.name": "travel-agent.DEFAULT", "deployment.environment.name": "bedrock-agentcore:default",
           "cloud.platform": "aws_bedrock_agentcore"}

    def span(trace, parent, name, start, dur_ms, attrs, error=False, kind="INTERNAL", scope="strands.telemetry.tracer"):
        s = {"resource": {"attributes": res}, "scope": {"name": scope}, "traceId": trace, "spanId": hexid(64),
             "name": name, "kind": kind, "startTimeUnixNano": int(start.timestamp() * 1e9),
             "endTimeUnixNano": int(start.timestamp() * 1e9 + dur_ms * 1e6), "durationNano": int(dur_ms * 1e6),
             "attributes": attrs, "status": {"code": "ERROR" if error else "OK"}, "events": []}
        if parent:
            s["parentSpanId"] = parent
        out.append(s)
        return s["spanId"]

    def session(t, sid, calls, tool_fail_rate=0.05):
        trace = hexid(128)
        total = 0
        agent_dur = 0
        children = []
        cursor = t
        for c in range(calls):
            dur = rng.uniform(900, 4200)
            model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
            it, ot = rng.randint(1500, 9000), rng.randint(60, 500)
            children.append(("chat " + model, cursor, dur, {
                "gen_ai.operation.name": "chat", "gen_ai.system": "aws.bedrock", "gen_ai.request.model": model,
                "gen_ai.usage.prompt_tokens": it, "gen_ai.usage.input_tokens": it,
                "gen_ai.usage.completion_tokens": ot, "gen_ai.usage.output_tokens": ot,
                "gen_ai.response.finish_reasons": ["tool_use" if c < calls - 1 else "end_turn"], "session.id": sid,
                "gen_ai.event.start_time": iso(cursor), "gen_ai.prompt": "Find me a flight to Lisbon."}, False))
            cursor += timedelta(milliseconds=dur)
            if c < calls - 1:
                tool = rng.choice(["search_flights", "get_weather", "book_hotel"])
                fail = rng.random() < tool_fail_rate
                tdur = rng.uniform(150, 1200) if tool != "search_flights" else rng.uniform(2500, 7500)
                children.append(("execute_tool " + tool, cursor, tdur, {
                    "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": tool,
                    "gen_ai.tool.call.id": "tooluse_" + hexid(64), "gen_ai.tool.status": "error" if fail else "success",
                    "session.id": sid}, fail))
                cursor += timedelta(milliseconds=tdur)
        root_dur = (cursor - t).total_seconds() * 1000
        failed = any(c[4] for c in children) and rng.random() < 0.3
        root = span(trace, None, "invoke_agent travel_agent", t, root_dur, {
            "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "travel_agent", "session.id": sid,
            "gen_ai.request.model": "us.anthropic.claude-sonnet-4-5-20250929-v1:0"}, failed)
        for name, st, dur, attrs, err in children:
            span(trace, root, name, st, dur, attrs, err)

    for i in range(120):
        t = day + timedelta(hours=rng.randint(8, 19), seconds=rng.randint(0, 3599))
        session(t, "session-%04d" % i, rng.randint(2, 6))
    # The runaway: one session looping on tool calls for about eleven minutes (16:05-16:16).
    session(day + timedelta(hours=16, minutes=5), "session-loop-9f2c", 130, tool_fail_rate=0.0)
    out.sort(key=lambda s: s["endTimeUnixNano"])
    return out


def subscription_events(log_group, stream, messages, per_batch):
    lines = []
    for i in range(0, len(messages), per_batch):
        chunk = messages[i:i + per_batch]
        events = []
        for j, (ts, msg) in enumerate(chunk):
            events.append({"id": str(37000000000000000000000000000000000000000000000000000000 + i + j)[:56],
                           "timestamp": ts, "message": msg})
        payload = {"messageType": "DATA_MESSAGE", "owner": ACCOUNT, "logGroup": log_group, "logStream": stream,
                   "subscriptionFilters": ["genai-obs"], "logEvents": events}
        data = base64.b64encode(gzip.compress(json.dumps(payload).encode(), mtime=0)).decode()
        lines.append(json.dumps({"awslogs": {"data": data}}))
    return "\n".join(lines) + "\n"


def quality_experiment():
    """Tagged calls, their agent spans with evaluation events, and feedback events (see the docstring)."""
    q = random.Random(20261207)
    records = []  # (sort time, record)
    arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/support-assistant-role/jane.doe@example.com"
    model = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    for d in range(8):
        day = START + timedelta(days=d)
        regression = d == 7
        for arm, version, out_range in (("A", "v1", (220, 420)), ("B", "v2", (120, 240))):
            for _ in range(40):
                t = day + timedelta(hours=q.randint(9, 16), seconds=q.randint(0, 3599))
                in_tok, out_tok = q.randint(900, 1600), q.randint(*out_range)
                latency = int(350 + out_tok * q.uniform(5, 9))
                request_id = "%08x-%04x-4%03x-b%03x-%012x" % (q.getrandbits(32), q.getrandbits(16), q.getrandbits(12), q.getrandbits(12), q.getrandbits(48))
                records.append((t, {
                    "schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": iso(t), "accountId": ACCOUNT,
                    "identity": {"arn": arn}, "region": "us-east-1", "requestId": request_id, "operation": "Converse", "modelId": model,
                    "requestMetadata": {"team": "support", "application": "helpdesk-bot", "environment": "prod",
                                        "feature": "ticket-summary", "variant": arm, "prompt_template": "ticket-summary",
                                        "prompt_template_version": version, "customer_email": "jane.doe@example.com"},
                    "input": {"inputContentType": "application/json", "inputTokenCount": in_tok,
                              "inputBodyJson": {"messages": [{"role": "user", "content": [{"text": "Summarise ticket 4411 for the weekly report."}]}]}},
                    "output": {"outputContentType": "application/json", "outputTokenCount": out_tok,
                               "outputBodyJson": {"output": {"message": {"role": "assistant", "content": [{"text": "The customer reports a delayed shipment."}]}},
                                                  "stopReason": "end_turn", "metrics": {"latencyMs": latency},
                                                  "usage": {"inputTokens": in_tok, "outputTokens": out_tok, "totalTokens": in_tok + out_tok}}}}))
                low = regression and arm == "B"
                score = min(1.0, max(0.0, q.gauss(0.55 if low else 0.85, 0.08 if low else 0.05)))
                start_ns = int(t.timestamp() * 1e9)
                trace_id, span_id = "%032x" % q.getrandbits(128), "%016x" % q.getrandbits(64)
                records.append((t + timedelta(milliseconds=latency), {
                    "resource": {"attributes": {"service.name": "helpdesk-bot", "deployment.environment.name": "prod"}},
                    "scope": {"name": "strands.telemetry.tracer"}, "traceId": trace_id, "spanId": span_id,
                    "name": "invoke_agent ticket_summarizer", "kind": "INTERNAL",
                    "startTimeUnixNano": start_ns, "endTimeUnixNano": start_ns + latency * 1_000_000, "durationNano": latency * 1_000_000,
                    "attributes": {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "ticket_summarizer",
                                   "app.feature": "ticket-summary", "app.variant": arm, "app.prompt_template.name": "ticket-summary",
                                   "app.prompt_template.version": version},
                    "status": {"code": "OK"},
                    "events": [{"name": "gen_ai.evaluation.result", "timeUnixNano": start_ns + (latency + 400) * 1_000_000,
                                "attributes": {"gen_ai.evaluation.name": "Builtin.Helpfulness", "gen_ai.evaluation.score.value": round(score, 3),
                                               "gen_ai.evaluation.score.label": "Helpful" if score >= 0.7 else "Not helpful",
                                               "gen_ai.evaluation.explanation": "The summary covers the customer's issue."}}]}))
                # The agent's model call: untagged, so it counts for the feature through its trace's
                # agent span (trace tag propagation). No random draws: the records above stay as they were.
                call_ns = latency * 1_000_000 - 60_000_000
                records.append((t + timedelta(milliseconds=latency - 30), {
                    "resource": {"attributes": {"service.name": "helpdesk-bot", "deployment.environment.name": "prod"}},
                    "scope": {"name": "strands.telemetry.tracer"}, "traceId": trace_id, "spanId": "%016x" % (int(span_id, 16) ^ 0x5A5A),
                    "parentSpanId": span_id, "name": "chat " + model, "kind": "CLIENT",
                    "startTimeUnixNano": start_ns + 30_000_000, "endTimeUnixNano": start_ns + 30_000_000 + call_ns, "durationNano": call_ns,
                    "attributes": {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "aws.bedrock", "gen_ai.request.model": model,
                                   "gen_ai.usage.input_tokens": in_tok, "gen_ai.usage.output_tokens": out_tok,
                                   "gen_ai.response.finish_reasons": ["end_turn"]},
                    "status": {"code": "OK"}}))
                if q.random() < 0.6:
                    satisfied = q.random() < (0.40 if low else 0.85)
                    at = t + timedelta(minutes=q.randint(2, 30))
                    records.append((at, {"level": "INFO", "message": "user feedback", "schema": "genaiobs.feedback/1",
                                         "timestamp": iso(at), "requestId": request_id, "rating": "up" if satisfied else "down",
                                         "comment": "Thanks, jane.doe@example.com here: " + ("spot on" if satisfied else "missed the point"),
                                         "feature": "ticket-summary", "variant": arm}))
    records.sort(key=lambda r: r[0])
    return [json.dumps(r, separators=(",", ":")) for _, r in records]


def main():
    inv = invocations()
    # Invocation logs as `aws logs filter-log-events` output would give them.
    events = []
    for n, r in enumerate(inv):
        ts = int(datetime.strptime(r["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() * 1000)
        events.append({"logStreamName": "aws/bedrock/modelinvocations", "timestamp": ts + 150,
                       "message": json.dumps(r, separators=(",", ":")), "ingestionTime": ts + 900,
                       "eventId": str(36000000000000000000000000000000000000000000000000000000 + n)[:56]})
    with open(f"{OUT}/bedrock-invocation-logs.json.gz", "wb") as f:
        f.write(gzip.compress(json.dumps({"events": events, "searchedLogStreams": []}).encode(), mtime=0))
    sp = spans()
    msgs = [(s["endTimeUnixNano"] // 1_000_000, json.dumps(s, separators=(",", ":"))) for s in sp]
    with open(f"{OUT}/agent-spans.subscription.jsonl.gz", "wb") as f:
        f.write(gzip.compress(subscription_events("aws/spans", "default", msgs, 200).encode(), mtime=0))
    quality = quality_experiment()
    with open(f"{OUT}/quality-experiment.jsonl.gz", "wb") as f:
        f.write(gzip.compress(("\n".join(quality) + "\n").encode(), mtime=0))
    print(f"{len(inv)} invocation records, {len(sp)} spans, {len(quality)} quality-experiment records")


if __name__ == "__main__":
    main()
