using GenAiObs.Tests.Runtime;
using Xunit;

namespace GenAiObs.Tests.NativeCli;

/// <summary>Which clang the Native AOT CLI fixture links with, read from a PATH of temp directories.</summary>
public sealed class NativeAotClangTests : IDisposable
{
    private readonly string _first = Directory.CreateTempSubdirectory("genaiobs-path-a-").FullName;
    private readonly string _second = Directory.CreateTempSubdirectory("genaiobs-path-b-").FullName;

    public void Dispose()
    {
        Directory.Delete(_first, recursive: true);
        Directory.Delete(_second, recursive: true);
    }

    private string SearchPath => _first + Path.PathSeparator + _second;

    [Fact]
    public void PublishProperties_WhenPlainClangIsOnPath_ShouldLeaveTheSdkDefault()
    {
        // Arrange
        File.WriteAllText(Path.Combine(_second, "clang"), string.Empty);
        File.WriteAllText(Path.Combine(_first, "clang-18"), string.Empty);

        // Act
        var properties = NativeAotClang.PublishProperties(SearchPath, "X");

        // Assert
        Assert.Empty(properties);
    }

    [Fact]
    public void PublishProperties_WhenOnlyVersionedClangsAreOnPath_ShouldPickTheNewest()
    {
        // Arrange
        File.WriteAllText(Path.Combine(_first, "clang-14"), string.Empty);
        File.WriteAllText(Path.Combine(_second, "clang-17"), string.Empty);

        // Act
        var properties = NativeAotClang.PublishProperties(SearchPath, "X");

        // Assert
        Assert.Equal(["-p:CppCompilerAndLinker=clang-17"], properties);
    }

    [Fact]
    public void PublishProperties_WhenNoClangIsOnPath_ShouldFailSayingNativeAotNeedsClang()
    {
        // Arrange: clang's tools without the compiler itself, and a clang too old to be tried.
        File.WriteAllText(Path.Combine(_first, "clang-format"), string.Empty);
        File.WriteAllText(Path.Combine(_second, "clang-13"), string.Empty);

        // Act
        var error = Assert.Throws<InvalidOperationException>(() => NativeAotClang.PublishProperties(SearchPath, "GENAIOBS_TEST_NATIVE_CLI"));

        // Assert
        Assert.Contains("Native AOT needs clang", error.Message, StringComparison.Ordinal);
        Assert.Contains("GENAIOBS_TEST_NATIVE_CLI", error.Message, StringComparison.Ordinal);
    }
}
