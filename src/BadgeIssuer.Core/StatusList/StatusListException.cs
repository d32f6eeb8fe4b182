namespace BadgeIssuer.Core.StatusList;

/// <summary>A status list could not be decoded, read or used; <see cref="ErrorCode"/> names the spec error.</summary>
public sealed class StatusListException : Exception
{
    public StatusListException()
        : this(StatusListErrorCode.MalformedValueError, "Malformed status list value.")
    {
    }

    public StatusListException(string message)
        : this(StatusListErrorCode.MalformedValueError, message)
    {
    }

    public StatusListException(string message, Exception innerException)
        : this(StatusListErrorCode.MalformedValueError, message, innerException)
    {
    }

    public StatusListException(StatusListErrorCode errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The spec error this failure maps to.</summary>
    public StatusListErrorCode ErrorCode { get; }
}
