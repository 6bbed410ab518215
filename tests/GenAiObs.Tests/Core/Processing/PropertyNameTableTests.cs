using System.Text;
using System.Text.Json;
using GenAiObs.Core.Processing;
using Xunit;

namespace GenAiObs.Tests.Parsing;

/// <summary>The property-name lookup behind <see cref="ResponseBodyScanner"/>: every listed name is found, whatever its length.</summary>
public sealed class PropertyNameTableTests
{
    private enum Kind
    {
        None,
        Stop,
        Long,
    }

    private static readonly string SeventyBytes = "x-provider-" + new string('m', 59);

    [Theory]
    [InlineData("stop_reason", false)]
    [InlineData("finishReason", false)]     // 12 bytes: a length no other entry has
    [InlineData("amazon-bedrock-x", true)]
    public void TryFind_WhenTheNameIsListed_ShouldFindItWhateverItsLength(string name, bool isLong)
    {
        // Arrange
        var table = new PropertyNameTable<Kind>(("stop_reason", Kind.Stop), ("finishReason", Kind.Stop), ("amazon-bedrock-x", Kind.Long), (SeventyBytes, Kind.Long));

        // Act
        var found = table.TryFind(Encoding.UTF8.GetBytes(name), out var kind);

        // Assert
        Assert.True(found);
        Assert.Equal(isLong ? Kind.Long : Kind.Stop, kind);
    }

    [Fact]
    public void TryFind_WhenANameIsLongerThanTheLengthMask_ShouldStillFindIt()
    {
        // Arrange: 70 bytes, beyond the 64 lengths the prefilter's bit mask covers.
        var table = new PropertyNameTable<Kind>(("stopReason", Kind.Stop), (SeventyBytes, Kind.Long));

        // Act
        var found = table.TryFind(Encoding.UTF8.GetBytes(SeventyBytes), out var kind);
        var other = table.TryFind(Encoding.UTF8.GetBytes(SeventyBytes[..^1] + "n"), out _);

        // Assert
        Assert.Equal(70, Encoding.UTF8.GetByteCount(SeventyBytes));
        Assert.True(found);
        Assert.Equal(Kind.Long, kind);
        Assert.False(other);
    }

    [Theory]
    [InlineData("finishReason")]   // listed length (12) absent from this table
    [InlineData("stop_reasoN")]    // listed length, other bytes
    [InlineData("text")]
    [InlineData("")]
    public void TryFind_WhenTheNameIsNotListed_ShouldReturnFalse(string name)
    {
        // Arrange
        var table = new PropertyNameTable<Kind>(("stop_reason", Kind.Stop), ("stopReason", Kind.Stop));

        // Act
        var found = table.TryFind(Encoding.UTF8.GetBytes(name), out var kind);

        // Assert
        Assert.False(found);
        Assert.Equal(Kind.None, kind);
    }

    [Fact]
    public void TryFind_WhenTheReaderIsOnAnEscapedName_ShouldCompareTheUnescapedText()
    {
        // Arrange: "finish\u0052eason" is finishReason with one character escaped.
        var table = new PropertyNameTable<Kind>(("finishReason", Kind.Stop));
        var reader = new Utf8JsonReader("{\"finish\\u0052eason\":\"stop\"}"u8);
        reader.Read();
        reader.Read();

        // Act
        var found = table.TryFind(ref reader, out var kind);

        // Assert
        Assert.True(reader.ValueIsEscaped);
        Assert.True(found);
        Assert.Equal(Kind.Stop, kind);
    }

    [Fact]
    public void ResponseBodyScannerFields_ShouldEachBeFoundAsTheirOwnField()
    {
        // Arrange
        var entries = ResponseBodyScanner.Fields.Entries.ToList();

        // Act
        var found = entries.Select(entry => ResponseBodyScanner.Fields.TryFind(Encoding.UTF8.GetBytes(entry.Name), out var field) ? field : ResponseBodyScanner.BodyField.None).ToList();

        // Assert
        Assert.NotEmpty(entries);
        Assert.Equal(entries.Select(entry => entry.Field), found);
    }
}
