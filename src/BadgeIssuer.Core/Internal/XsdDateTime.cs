using System.Globalization;

namespace BadgeIssuer.Core.Internal;

/// <summary>xsd:dateTime values with a mandatory time zone (OB DateTimeZ, T-13).</summary>
internal static class XsdDateTime
{
    public static bool TryParseWithZone(string? value, out DateTimeOffset result)
    {
        result = default;
        if (value is null || value.Length < 20 || value.Length > 64 || value[10] != 'T' || !HasZone(value))
        {
            return false;
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out result);
    }

    /// <summary>JWT NumericDate (RFC 7519 §2): whole seconds since the epoch, fractions dropped.</summary>
    public static long ToNumericDate(DateTimeOffset value) => value.ToUnixTimeSeconds();

    private static bool HasZone(string value)
    {
        char last = value[^1];
        if (last is 'Z' or 'z')
        {
            return true;
        }

        return value.Length >= 6 && value[^6] is '+' or '-' && value[^3] == ':';
    }
}
