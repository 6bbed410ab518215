using Xunit;

namespace GenAiObs.Tests.Runtime;

/// <summary>
/// The <c>genaiobs</c> CLI, published once per test run Native AOT (self-contained linux-x64, the
/// documented build for large replays), for every test of the collection. Native AOT links with
/// clang: without one the fixture fails every test of the collection saying so.
/// </summary>
public sealed class PublishedNativeCli() : PublishedExecutable(
    "GenAiObs.Cli",
    "genaiobs",
    PrebuiltVariable,
    // Measured ~80 s on 2 cores when the machine is quiet; the suite runs the bootstrap's publish beside it.
    TimeSpan.FromMinutes(10),
    () => ["-p:PublishAot=true", .. NativeAotClang.PublishProperties(Environment.GetEnvironmentVariable("PATH"), PrebuiltVariable)])
{
    /// <summary>An already published native <c>genaiobs</c> to use instead of publishing (local runs; CI leaves it unset).</summary>
    public const string PrebuiltVariable = "GENAIOBS_TEST_NATIVE_CLI";
}

[CollectionDefinition(Name)]
public sealed class PublishedNativeCliCollection : ICollectionFixture<PublishedNativeCli>
{
    public const string Name = "published native CLI";
}
