namespace GenAiObs.Core.Records;

/// <summary>
/// The named reasons a log event or a whole delivery is not used. They appear in the
/// RejectedRecords metric's <c>Reason</c> dimension, in structured logs and in CLI output, so
/// they are stable, lower_snake_case and never carry record content.
/// </summary>
public static class RejectReasons
{
    // Whole-delivery (envelope) reasons: every event of the delivery is lost with these.
    public const string InvalidEnvelope = "invalid_envelope";
    public const string InvalidBase64 = "invalid_base64";
    public const string InvalidGzip = "invalid_gzip";
    public const string DecompressedTooLarge = "decompressed_too_large";
    public const string InvalidPayloadJson = "invalid_payload_json";
    public const string EmptyBatch = "empty_batch";

    // Per-record reasons.
    public const string InvalidJson = "invalid_json";
    public const string NotAnObject = "not_an_object";
    public const string UnknownRecordType = "unknown_record_type";
    public const string UnsupportedSchema = "unsupported_schema";
    public const string MissingModelId = "missing_model_id";
    public const string MissingField = "missing_field";
    public const string WrongType = "wrong_type";
    public const string InvalidTokenCount = "invalid_token_count";
    public const string InvalidTimestamp = "invalid_timestamp";

    /// <summary>A valid time outside the accepted window (older than the 5-minute retention or more than a day ahead, by default).</summary>
    public const string TimestampOutOfWindow = "timestamp_out_of_window";
    public const string InvalidDuration = "invalid_duration";
    public const string MessageTooLarge = "message_too_large";
    public const string TooDeep = "too_deep";

    /// <summary>A feedback event whose rating is missing, or not up, down or a whole number 1–5.</summary>
    public const string InvalidRating = "invalid_rating";

    /// <summary>An evaluation result without a name, or whose score is not a finite number within ±1,000,000.</summary>
    public const string InvalidEvaluation = "invalid_evaluation";
}
