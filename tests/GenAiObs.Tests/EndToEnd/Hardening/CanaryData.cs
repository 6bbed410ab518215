using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using GenAiObs.Tests.Parsing;

namespace GenAiObs.Tests.Hardening;

/// <summary>
/// Deliveries whose every record carries the <see cref="PiiCanary"/> strings — accepted records
/// (successes and failures, several models), spans, records the parsers reject, and broken
/// envelopes — over half an hour from a given start, so that alert rules fire on them too.
/// </summary>
internal static class CanaryData
{
    public const string FailingModel = "meta.llama3-70b-instruct-v1:0";

    /// <summary>Invocation-log records: 60 calls, a third of them failing on one model, plus four rejected records.</summary>
    public static IReadOnlyList<byte[]> InvocationMessages(DateTimeOffset start)
    {
        var messages = new List<byte[]>();
        for (var i = 0; i < 60; i++)
        {
            var failing = i % 3 == 0;
            messages.Add(Encoding.UTF8.GetBytes(PiiCanary.InvocationRecord(
                start.AddSeconds(i * 25),
                modelId: failing ? FailingModel : "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                inputTokens: 800 + i,
                outputTokens: 90 + i,
                errorCode: failing ? "ServiceUnavailableException" : null,
                latencyMs: 400 + (i * 211),
                requestId: "req-" + i.ToString("D4", CultureInfo.InvariantCulture))));
        }

        messages.AddRange(RejectedMessages());
        return messages;
    }

    /// <summary>Records that are rejected, each holding the canaries where a careless parser might quote them.</summary>
    public static IReadOnlyList<byte[]> RejectedMessages()
    {
        var text = PiiCanary.Json(PiiCanary.Text);
        var whole = PiiCanary.InvocationRecord(DateTimeOffset.UnixEpoch.AddYears(56));
        return
        [
            Encoding.UTF8.GetBytes("""{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"m","input":{"inputTokenCount":""" + text + "}}"),
            Encoding.UTF8.GetBytes(whole[..(whole.Length / 2)]),
            Encoding.UTF8.GetBytes("""{"schemaType":""" + text + ""","operation":"Converse","modelId":"m"}"""),
            Encoding.UTF8.GetBytes("""{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"m","timestamp":""" + text + "}"),
            Encoding.UTF8.GetBytes(PiiCanary.ModelCallSpan(DateTimeOffset.UnixEpoch.AddYears(56)).Replace("\"name\":\"chat\"", "\"name\":\"chat\",\"durationNano\":-1", StringComparison.Ordinal)),
            Encoding.UTF8.GetBytes(PiiCanary.Text),
        ];
    }

    /// <summary>Model-call spans over the same half hour, some failing, across sessions.</summary>
    public static IReadOnlyList<byte[]> SpanMessages(DateTimeOffset start) =>
        Enumerable.Range(0, 30).Select(i => Encoding.UTF8.GetBytes(PiiCanary.ModelCallSpan(
            start.AddSeconds(i * 50),
            spanId: (0x5000 + i).ToString("x16", CultureInfo.InvariantCulture),
            traceId: "7af7651916cd43dd8448eb211c8031" + (i % 4).ToString("D2", CultureInfo.InvariantCulture),
            sessionId: "session-" + (i % 3).ToString(CultureInfo.InvariantCulture),
            error: i % 5 == 0,
            durationMs: 250 + (i * 97))))
        .Concat(RejectedMessages())
        .ToList();

    public static byte[] Delivery(IReadOnlyList<byte[]> messages, DateTimeOffset start) =>
        TestEvents.SubscriptionEvent(TestEvents.DataMessage(messages.Select((m, i) => (
            "3995310660696698337880902507980421114328961542429" + i.ToString("D7", CultureInfo.InvariantCulture),
            start.AddSeconds(i * 25 + 2).ToUnixTimeMilliseconds(),
            m))));

    /// <summary>Lambda events whose envelope itself is broken, with the canaries inside.</summary>
    public static IReadOnlyList<byte[]> BrokenEnvelopes() =>
    [
        Encoding.UTF8.GetBytes("{\"awslogs\":{\"data\":" + PiiCanary.Json(PiiCanary.Text) + "}}"),
        Encoding.UTF8.GetBytes(PiiCanary.Text),
        Encoding.UTF8.GetBytes("{\"awslogs\":{\"data\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes(PiiCanary.Text)) + "\"}}"),
        TestEvents.SubscriptionEvent(Encoding.UTF8.GetBytes("{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"id\":\"1\",\"timestamp\":1,\"message\":" + PiiCanary.Json(PiiCanary.Text) + "}," + PiiCanary.Json(PiiCanary.Text))),
    ];

    /// <summary>Every item of a table, flattened to text: attribute names and values.</summary>
    public static async Task<List<string>> ScanAsync(IAmazonDynamoDB client, string tableName)
    {
        var items = new List<string>();
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var page = await client.ScanAsync(new ScanRequest { TableName = tableName, ExclusiveStartKey = startKey });
            foreach (var item in page.Items ?? [])
            {
                var text = new StringBuilder();
                foreach (var (name, value) in item)
                {
                    text.Append(name).Append('=').Append(Flatten(value)).Append(';');
                }

                items.Add(text.ToString());
            }

            startKey = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (startKey is not null);

        return items;
    }

    private static string Flatten(AttributeValue value) =>
        value.S ?? value.N
        ?? (value.SS is { Count: > 0 } ss ? string.Join(",", ss)
        : value.NS is { Count: > 0 } ns ? string.Join(",", ns)
        : value.M is { Count: > 0 } map ? "{" + string.Join(",", map.Select(p => p.Key + ":" + Flatten(p.Value))) + "}"
        : value.L is { Count: > 0 } list ? "[" + string.Join(",", list.Select(Flatten)) + "]"
        : value.BOOL?.ToString() ?? string.Empty);
}
