namespace BadgeIssuer.Core.StatusList;

/// <summary>
/// Error types of W3C Bitstring Status List v1.0 §3.5 "Processing Errors"; each value names the
/// spec's string (returned by <see cref="StatusListErrors.ToSpecString"/>), which is also the
/// fragment of the RFC 9457 problem <c>type</c> <c>https://www.w3.org/ns/credentials/status-list#&lt;ERROR&gt;</c>.
/// </summary>
public enum StatusListErrorCode
{
    /// <summary><c>STATUS_RETRIEVAL_ERROR</c>: the status list credential could not be retrieved.</summary>
    StatusRetrievalError,

    /// <summary><c>STATUS_VERIFICATION_ERROR</c>: the status list credential did not verify or does not fit the entry.</summary>
    StatusVerificationError,

    /// <summary><c>STATUS_LIST_LENGTH_ERROR</c>: fewer than 131,072 entries (bits / statusSize).</summary>
    StatusListLengthError,

    /// <summary><c>RANGE_ERROR</c>: <c>statusListIndex</c> is outside the list.</summary>
    RangeError,

    /// <summary><c>MALFORMED_VALUE_ERROR</c>: a value (encodedList, statusListIndex, statusSize, …) is malformed.</summary>
    MalformedValueError,
}

/// <summary>Spec strings for <see cref="StatusListErrorCode"/>.</summary>
public static class StatusListErrors
{
    /// <summary>Base of the RFC 9457 problem <c>type</c> URIs (Bitstring Status List v1.0 §3.5).</summary>
    public const string ProblemTypeBase = "https://www.w3.org/ns/credentials/status-list#";

    /// <summary>The spec's name of the error, e.g. <c>STATUS_LIST_LENGTH_ERROR</c>.</summary>
    public static string ToSpecString(this StatusListErrorCode code) => code switch
    {
        StatusListErrorCode.StatusRetrievalError => "STATUS_RETRIEVAL_ERROR",
        StatusListErrorCode.StatusVerificationError => "STATUS_VERIFICATION_ERROR",
        StatusListErrorCode.StatusListLengthError => "STATUS_LIST_LENGTH_ERROR",
        StatusListErrorCode.RangeError => "RANGE_ERROR",
        StatusListErrorCode.MalformedValueError => "MALFORMED_VALUE_ERROR",
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };

    /// <summary>The RFC 9457 problem <c>type</c> URI for the error.</summary>
    public static string ToProblemType(this StatusListErrorCode code) => ProblemTypeBase + code.ToSpecString();
}
