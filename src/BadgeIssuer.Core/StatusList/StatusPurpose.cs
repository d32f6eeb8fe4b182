namespace BadgeIssuer.Core.StatusList;

/// <summary>
/// The <c>statusPurpose</c> values defined by Bitstring Status List v1.0 §2.1. Other strings may
/// appear in the wild; parsing keeps the string and reports <see cref="StatusPurposes.TryParse"/> false.
/// </summary>
public enum StatusPurpose
{
    /// <summary><c>revocation</c>: irreversible cancellation.</summary>
    Revocation,

    /// <summary><c>suspension</c>: reversible hold.</summary>
    Suspension,

    /// <summary><c>refresh</c>: a newer version of the credential is available.</summary>
    Refresh,

    /// <summary><c>message</c>: the status value selects one of <c>statusMessage</c>.</summary>
    Message,
}

/// <summary>Conversions between <see cref="StatusPurpose"/> and its spec strings.</summary>
public static class StatusPurposes
{
    public static string ToSpecString(this StatusPurpose purpose) => purpose switch
    {
        StatusPurpose.Revocation => "revocation",
        StatusPurpose.Suspension => "suspension",
        StatusPurpose.Refresh => "refresh",
        StatusPurpose.Message => "message",
        _ => throw new ArgumentOutOfRangeException(nameof(purpose)),
    };

    /// <summary>Parses a spec string (ordinal, case-sensitive).</summary>
    public static bool TryParse(string? value, out StatusPurpose purpose)
    {
        switch (value)
        {
            case "revocation":
                purpose = StatusPurpose.Revocation;
                return true;
            case "suspension":
                purpose = StatusPurpose.Suspension;
                return true;
            case "refresh":
                purpose = StatusPurpose.Refresh;
                return true;
            case "message":
                purpose = StatusPurpose.Message;
                return true;
            default:
                purpose = default;
                return false;
        }
    }
}
