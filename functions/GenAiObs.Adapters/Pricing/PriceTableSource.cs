using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Core.Pricing;

namespace GenAiObs.Adapters.Pricing;

/// <summary>
/// Where the processors' price table comes from, read once at cold start:
/// <c>GENAIOBS_PRICES_FILE</c> (a file in the package; a bad file fails the cold start), else the
/// S3 object <c>GENAIOBS_PRICES_S3_BUCKET</c>/<c>GENAIOBS_PRICES_S3_KEY</c> (the stack's
/// PricesBucketName/PricesObjectKey parameters: upload a newer table and the next cold start uses
/// it, no rebuild), else the embedded default.
/// </summary>
/// <param name="File">A local price file.</param>
/// <param name="Bucket">The S3 bucket holding the price file, when one is configured.</param>
/// <param name="Key">The object key.</param>
/// <param name="S3Endpoint">An S3 endpoint override (tests), else AWS.</param>
/// <param name="Region">The region (signing and the default endpoint).</param>
public sealed record PriceTableSource(string? File, string? Bucket, string Key, Uri? S3Endpoint, string Region)
{
    public const string DefaultKey = "genaiobs/prices.json";

    /// <summary>The reason logged when the S3 object could not be read (the embedded default is used).</summary>
    public const string ReasonUnreadable = "pricesObjectUnreadable";

    /// <summary>The reason logged when the S3 object is not a valid price file (the embedded default is used).</summary>
    public const string ReasonInvalid = "pricesObjectInvalid";

    /// <summary>The variables this source reads.</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } =
    [
        SettingVariable.Deployment(EnvironmentVariables.PricesBucket, "S3 bucket of a price file read at cold start (empty: the embedded default)"),
        SettingVariable.Deployment(EnvironmentVariables.PricesKey, "S3 key of that price file"),
        SettingVariable.LocalOverride(EnvironmentVariables.EndpointUrlS3, "S3 endpoint override (tests)"),
        SettingVariable.LocalOverride(EnvironmentVariables.EndpointUrl, "endpoint override for every AWS service"),
    ];

    /// <summary>The AWS actions reading the price file takes (granted only when a bucket is configured).</summary>
    public static IReadOnlyList<string> AwsActions { get; } = [.. S3ObjectReader.S3Actions.Select(a => "s3:" + a)];

    /// <summary>Reads the source's settings; throws <see cref="SettingsException"/> for a malformed endpoint.</summary>
    public static PriceTableSource Read(FunctionSettings settings, Func<string, string?> getVariable)
    {
        Uri? endpoint = null;
        foreach (var name in new[] { EnvironmentVariables.EndpointUrlS3, EnvironmentVariables.EndpointUrl })
        {
            if (getVariable(name) is { Length: > 0 } text)
            {
                endpoint = Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                    ? uri
                    : throw new SettingsException(name, $"Environment variable {name} must be an http(s) URL.");
                break;
            }
        }

        var bucket = getVariable(EnvironmentVariables.PricesBucket) is { Length: > 0 } b ? b : null;
        var key = getVariable(EnvironmentVariables.PricesKey) is { Length: > 0 } k ? k : DefaultKey;
        return new PriceTableSource(settings.PricesFile, bucket, key, endpoint, settings.Region ?? PriceTable.DefaultBaseRegion);
    }

    /// <summary>
    /// The table to price with. A configured S3 object that cannot be read or is not a valid
    /// price file is logged as an error with its reason and the embedded default is used, so a
    /// bad upload never stops cost reporting (check files first with <c>genaiobs prices check</c>).
    /// </summary>
    public PriceTable Load(StructuredLogger log, Func<PriceTableSource, S3ObjectReader>? readerFactory = null)
    {
        if (File is { } path)
        {
            return PriceTable.Parse(System.IO.File.ReadAllBytes(path));
        }

        if (Bucket is null)
        {
            return PriceTable.LoadDefault();
        }

        var reader = (readerFactory ?? DefaultReader)(this);
        byte[] bytes;
        try
        {
            // Cold start only: the factories that build the functions are synchronous, and the
            // custom runtime has no synchronization context to deadlock on.
            bytes = reader.GetObjectAsync(Bucket, Key, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (S3ReadException ex)
        {
            log.Log(DiagnosticLevel.Error, $"Price file s3://{Bucket}/{Key} could not be read ({ex.Code}); using the embedded default table.", reasons: [new(ReasonUnreadable, 1)], errorType: nameof(S3ReadException));
            return PriceTable.LoadDefault();
        }
        catch (Amazon.Runtime.AmazonClientException)
        {
            log.Log(DiagnosticLevel.Error, $"Price file s3://{Bucket}/{Key} could not be read (no AWS credentials); using the embedded default table.", reasons: [new(ReasonUnreadable, 1)], errorType: "AmazonClientException");
            return PriceTable.LoadDefault();
        }

        try
        {
            var table = PriceTable.Parse(bytes);
            log.Info($"Price file s3://{Bucket}/{Key} loaded (effectiveDate {table.EffectiveDate}).", counts: [new("models", table.Entries.Count), new("notTokenPriced", table.NotTokenPriced.Count)]);
            return table;
        }
        catch (PriceTableException ex)
        {
            log.Log(DiagnosticLevel.Error, $"Price file s3://{Bucket}/{Key} is not a valid price table ({ex.Message}); using the embedded default table.", reasons: [new(ReasonInvalid, 1)], errorType: nameof(PriceTableException));
            return PriceTable.LoadDefault();
        }
    }

    private static S3ObjectReader DefaultReader(PriceTableSource source) =>
        new(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, source.S3Endpoint, source.Region, new SdkCredentialsSource(), TimeProvider.System);
}
