namespace BadgeIssuer.Core.Baking;

/// <summary>Baking or unbaking failed; <see cref="Reason"/> says why, <see cref="Offset"/> where when known.</summary>
public sealed class BakingException : Exception
{
    public BakingException()
        : this(BakingErrorReason.UnsupportedFormat, "The image could not be baked or unbaked.")
    {
    }

    public BakingException(string message)
        : this(BakingErrorReason.UnsupportedFormat, message)
    {
    }

    public BakingException(string message, Exception innerException)
        : this(BakingErrorReason.UnsupportedFormat, message, null, innerException)
    {
    }

    public BakingException(BakingErrorReason reason, string message, long? offset = null, Exception? innerException = null)
        : base(offset is long at ? $"{message} (byte offset {at})" : message, innerException)
    {
        Reason = reason;
        Offset = offset;
    }

    public BakingErrorReason Reason { get; }

    /// <summary>Byte offset in the image (PNG) or character offset in the document (SVG), when known.</summary>
    public long? Offset { get; }
}
