using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Envelopes;

public sealed class JsonStringScannerTests
{
    // Pieces of string content: plain text, every escape kind, surrogate escapes (paired, lone, reversed),
    // malformed escapes, raw multi-byte and invalid UTF-8, control bytes and a bare quote.
    private static readonly string[] Pieces =
    [
        "a", "plain text ", "{", "}", ":", ",", "é", "日本", "😀",
        "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t",
        "\\u0041", "\\u00e9", "\\u65E5", "\\u0000", "\\u001f", "\\ud83d\\ude00", "\\uD83D\\uDE00",
        "\\ud83d", "\\ude00", "\\ude00\\ud83d", "\\ud83d\\u0041", "\\ud83d\\n",
        "\\x", "\\u12", "\\u12g4", "\\", "\u0001", "\t", "\"",
    ];

    private static readonly byte[][] RawPieces = [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xe6, 0x97]];

    [Theory]
    [InlineData("no escapes at all")]
    [InlineData("\\\"quoted\\\" \\\\ back \\/ slash")]
    [InlineData("\\b\\f\\n\\r\\t")]
    [InlineData("\\u0041\\u00e9\\u65e5\\u65E5")]
    [InlineData("smile \\ud83d\\ude00 done")]
    [InlineData("{\\\"modelId\\\":\\\"m\\\",\\\"input\\\":{\\\"text\\\":\\\"caf\\u00e9\\\\n\\\"}}")]
    [InlineData("")]
    public void Read_WhenTheStringIsValid_ShouldMatchUtf8JsonReaderCopyString(string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);

        var scanned = ScannerRead(bytes);

        Assert.NotNull(scanned);
        Assert.Equal(ReaderRead(bytes), scanned);
    }

    [Theory]
    [InlineData("lone high \\ud83d here")]
    [InlineData("lone low \\ude00 here")]
    [InlineData("reversed \\ude00\\ud83d")]
    [InlineData("high then letter \\ud83d\\u0041")]
    [InlineData("high at the end \\ud83d")]
    [InlineData("bad escape \\x")]
    [InlineData("short hex \\u12")]
    [InlineData("bad hex \\u12g4")]
    [InlineData("control \u0001 byte")]
    [InlineData("unterminated \\")]
    public void Read_WhenTheReaderOrCopyStringRefuses_ShouldRefuseToo(string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);

        Assert.Null(ReaderRead(bytes));
        Assert.Null(ScannerRead(bytes));
    }

    [Fact]
    public void Unescape_WhenEscapedTextIsNotValidUtf8_ShouldRefuse()
    {
        byte[] content = [(byte)'\\', (byte)'n', 0xc3, (byte)'a'];

        Assert.Null(ReaderRead(content));
        Assert.Equal(-1, JsonStringScanner.Unescape(content, new byte[content.Length]));
    }

    [Fact]
    public void FindEnd_WhenTheClosingQuoteFollowsEscapedQuotes_ShouldStopAtIt()
    {
        var content = "a\\\"b\\\\\" rest"u8;

        var length = JsonStringScanner.FindEnd(content, out var isEscaped);

        Assert.Equal(6, length);
        Assert.True(isEscaped);
    }

    [Fact]
    public void Read_WhenAnEscapedMessageIsCutAtEveryPosition_ShouldAgreeWithTheReader()
    {
        var content = Encoding.UTF8.GetBytes(
            "{\\\"text\\\":\\\"caf\\u00e9 \\ud83d\\ude00 \\\\ \\/ \\b\\f\\n\\r\\t 日本\\\"}");

        for (var cut = 0; cut <= content.Length; cut++)
        {
            var prefix = content[..cut];
            Assert.Equal(ReaderRead(prefix), ScannerRead(prefix));
        }
    }

    [Fact]
    public void Read_ForRandomMixesOfEscapesAndBytes_ShouldAgreeWithTheReader()
    {
        var contents = Contents(maxPieces: 24);

        var property = Prop.ForAll(contents.ToArbitrary(), content =>
        {
            Assert.Equal(ReaderRead(content), ScannerRead(content));
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }

    [Fact]
    public void AddDataMessage_WhenMessagesAreEscapedAndFollowedByMoreFields_ShouldReadEveryEventAndField()
    {
        var payload = Encoding.UTF8.GetBytes(
            "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[" +
            "{\"id\":\"e1\",\"message\" : \"{\\\"a\\\":\\\"caf\\u00e9\\\"}\" ,\"timestamp\":5}," +
            "{\"message\":\"plain\",\"id\":\"e2\",\"timestamp\":6}," +
            "{\"id\":\"e3\",\"message\":{\"embedded\":true},\"timestamp\":7}," +
            "{\"id\":\"e4\",\"message\":\"lone \\ud83d\",\"timestamp\":8}" +
            "],\"logGroup\":\"/aws/bedrock/x\",\"owner\":\"111122223333\"}");
        using var builder = new DeliveryBuilder(DecoderLimits.Default);

        builder.AddDataMessage(payload, "test");
        using var delivery = builder.Build();

        Assert.Equal(["e1", "e2", "e3"], delivery.Events.Select(e => e.Id));
        Assert.Equal([5L, 6L, 7L], delivery.Events.Select(e => e.TimestampMs));
        Assert.Equal("caf\u00e9", JsonDocument.Parse(delivery.Events[0].Message).RootElement.GetProperty("a").GetString());
        Assert.Equal("plain"u8.ToArray(), delivery.Events[1].Message.ToArray());
        Assert.True(JsonDocument.Parse(delivery.Events[2].Message).RootElement.GetProperty("embedded").GetBoolean());
        var rejection = Assert.Single(delivery.Rejections);
        Assert.Equal(("e4", RejectReasons.InvalidJson, "message"), (rejection.EventId, rejection.Reason, rejection.Detail));
        Assert.Equal("/aws/bedrock/x", delivery.LogGroup);
        Assert.Equal("111122223333", delivery.Owner);
    }

    [Fact]
    public void AddDataMessage_WhenThePayloadBreaksAfterAnEscapedMessage_ShouldKeepTheEventsBeforeTheBreak()
    {
        var payload = Encoding.UTF8.GetBytes(
            "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"id\":\"e1\",\"timestamp\":5,\"message\":\"a\\\"b\"},{\"id\":\"e2\",\"timestamp\":6,\"message\":\"c\\\"d\" x}]}");
        using var builder = new DeliveryBuilder(DecoderLimits.Default);

        builder.AddDataMessage(payload, "where");
        using var delivery = builder.Build();

        Assert.Equal("a\"b"u8.ToArray(), Assert.Single(delivery.Events).Message.ToArray());
        var rejection = Assert.Single(delivery.Rejections);
        Assert.Equal((RejectReasons.InvalidPayloadJson, "where"), (rejection.Reason, rejection.Detail));
    }

    [Fact]
    public void AddLogEvent_WhenTheEscapedMessageComesFirst_ShouldReadTheFieldsAfterIt()
    {
        using var builder = new DeliveryBuilder(DecoderLimits.Default);

        Assert.True(builder.AddLogEvent("{\"message\":\"x\\ty\",\"eventId\":\"e9\",\"timestamp\":12}"u8));
        Assert.False(builder.AddLogEvent("{\"message\":\"x\\ty\",\"eventId\":}"u8));
        using var delivery = builder.Build();

        var single = Assert.Single(delivery.Events);
        Assert.Equal(("e9", 12L), (single.Id, single.TimestampMs));
        Assert.Equal("x\ty"u8.ToArray(), single.Message.ToArray());
    }

    [Fact]
    public void AddDataMessage_WhenAnEscapedMessageIsLargerThanTheLimit_ShouldRejectItAsTooLarge()
    {
        var message = "{\\\"t\\\":\\\"" + new string('x', 300) + "\\\"}";
        var file = Encoding.UTF8.GetBytes("{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"id\":\"e1\",\"timestamp\":1,\"message\":\"" + message + "\"}]}");
        using var builder = new DeliveryBuilder(new DecoderLimits(MaxMessageBytes: 100));

        builder.AddDataMessage(file, "w");
        using var delivery = builder.Build();

        Assert.Empty(delivery.Events);
        Assert.Equal(RejectReasons.MessageTooLarge, Assert.Single(delivery.Rejections).Reason);
    }

    [Fact]
    public void SkipPropertyValue_WhenARequestHasEscapedPrompts_ShouldLeaveTheReaderWhereSkipDoes()
    {
        var json = Encoding.UTF8.GetBytes(
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\" : \"line one\\nsays \\\"hi\\\" caf\\u00e9\"}," +
            "{\"image\":{\"format\":\"png\",\"bytes\":\"AAAA\"}}]}],\"system\":\"be \\\"brief\\\"\"," +
            "\"inferenceConfig\":{\"maxTokens\":10,\"stop\":[\"a\\n\",null,true]},\"after\":1}");

        Assert.Equal(SkippedByReader(json), SkippedByScanner(json));
        Assert.Contains("PropertyName:after@1", SkippedByScanner(json));
    }

    [Theory]
    [InlineData("{\"a\":{\"t\":\"bad \\x escape\"},\"b\":1}")]
    [InlineData("{\"a\":{\"t\":\"control \u0001 byte\"},\"b\":1}")]
    [InlineData("{\"a\":{\"t\":\"short \\u12\"},\"b\":1}")]
    [InlineData("{\"a\":\"unterminated \\\"}")]
    [InlineData("{\"a\":{\"t\":\"x\" \"y\"},\"b\":1}")]
    public void SkipPropertyValue_WhenTheReaderRefusesTheValue_ShouldRefuseItToo(string document)
    {
        var json = Encoding.UTF8.GetBytes(document);

        Assert.Equal("JsonException", SkippedByReader(json)[^1]);
        Assert.Equal("JsonException", SkippedByScanner(json)[^1]);
    }

    [Fact]
    public void SkipPropertyValue_ForRandomDocuments_ShouldAgreeWithSkip()
    {
        var strings = Contents(maxPieces: 6).Select(content => (byte[])[(byte)'"', .. content, (byte)'"']);
        var scalars = Gen.Frequency(
            (4, strings),
            (1, Gen.Elements("1", "-2.5e3", "true", "null", "x", "").Select(Encoding.UTF8.GetBytes)));
        var values = Gen.Sized(size => Value(Math.Min(size, 3)));
        var member = from name in Gen.Elements("a", "text", "b")
                     from value in values
                     from space in Gen.Elements("", " ", "\n ")
                     select (byte[])[.. Encoding.UTF8.GetBytes($"\"{name}\":{space}"), .. value];
        var documents = from count in Gen.Choose(1, 4)
                        from members in Gen.ArrayOf(member, count)
                        select (byte[])[(byte)'{', .. Join(members), (byte)'}'];

        var property = Prop.ForAll(documents.ToArbitrary(), json =>
        {
            Assert.Equal(SkippedByReader(json), SkippedByScanner(json));
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), property);

        Gen<byte[]> Value(int depth) => depth <= 0
            ? scalars
            : Gen.Frequency(
                (3, scalars),
                (1, from count in Gen.Choose(0, 3)
                    from members in Gen.ArrayOf(
                        from name in Gen.Elements("text", "role", "x")
                        from value in Value(depth - 1)
                        select (byte[])[.. Encoding.UTF8.GetBytes($"\"{name}\":"), .. value],
                        count)
                    select (byte[])[(byte)'{', .. Join(members), (byte)'}']),
                (1, from count in Gen.Choose(0, 3)
                    from elements in Gen.ArrayOf(Value(depth - 1), count)
                    select (byte[])[(byte)'[', .. Join(elements), (byte)']']));

        static byte[] Join(byte[][] parts) => parts.SelectMany((part, i) => i == 0 ? part : [(byte)',', .. part]).ToArray();
    }

    /// <summary>String content of up to <paramref name="maxPieces"/> <see cref="Pieces"/> and <see cref="RawPieces"/>, mostly the former.</summary>
    private static Gen<byte[]> Contents(int maxPieces) =>
        from count in Gen.Choose(0, maxPieces)
        from parts in Gen.ArrayOf(
            Gen.Frequency((6, Gen.Elements(Pieces).Select(p => Encoding.UTF8.GetBytes(p))), (1, Gen.Elements(RawPieces))),
            count)
        select parts.SelectMany(p => p).ToArray();

    /// <summary>Tokens of the document with every root property's value passed by <see cref="Utf8JsonReader.Skip"/>; a refusal ends the list with the exception's name.</summary>
    private static List<string> SkippedByReader(byte[] json) => Skipped(json, (ref Utf8JsonReader reader, ref ReadOnlySpan<byte> _) =>
    {
        reader.Read();
        reader.Skip();
    });

    /// <summary>The same with <see cref="JsonStringScanner.SkipPropertyValue"/>.</summary>
    private static List<string> SkippedByScanner(byte[] json) => Skipped(json, JsonStringScanner.SkipPropertyValue);

    private static List<string> Skipped(byte[] json, SkipValue skip)
    {
        var tokens = new List<string>();
        try
        {
            ReadOnlySpan<byte> source = json;
            var reader = new Utf8JsonReader(source);
            while (reader.Read())
            {
                tokens.Add($"{reader.TokenType}:{Encoding.UTF8.GetString(reader.ValueSpan)}@{reader.CurrentDepth}");
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                {
                    skip(ref reader, ref source);
                    tokens.Add($"skipped to {reader.TokenType}@{reader.CurrentDepth}");
                }
            }
        }
        catch (JsonException)
        {
            tokens.Add("JsonException");
        }

        return tokens;
    }

    private delegate void SkipValue(ref Utf8JsonReader reader, ref ReadOnlySpan<byte> source);

    /// <summary>What DeliveryBuilder stored before the scanner: the reader's value, unescaped by CopyString when escaped.</summary>
    private static byte[]? ReaderRead(byte[] content)
    {
        byte[] json = [(byte)'"', .. content, (byte)'"'];
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.String || reader.BytesConsumed != json.Length)
            {
                return null;
            }

            if (!reader.ValueIsEscaped)
            {
                return reader.ValueSpan.ToArray();
            }

            var destination = new byte[content.Length];
            return destination[..reader.CopyString(destination)];
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static byte[]? ScannerRead(byte[] content)
    {
        byte[] quoted = [.. content, (byte)'"'];
        var length = JsonStringScanner.FindEnd(quoted, out var isEscaped);
        if (length != content.Length)
        {
            return null;
        }

        if (!isEscaped)
        {
            return content;
        }

        var destination = new byte[content.Length];
        var written = JsonStringScanner.Unescape(content, destination);
        return written < 0 ? null : destination[..written];
    }
}
