using System.Globalization;
using System.Numerics;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>
/// Number → string conversions needed by toRdf: canonical <c>xsd:integer</c> and <c>xsd:double</c> lexical forms
/// (as jsonld.js produces them) and ECMAScript <c>Number::toString</c> (used by JCS, RFC 8785).
/// </summary>
internal static class NumberFormatting
{
    /// <summary>The canonical <c>xsd:integer</c> form of an integral double (JavaScript <c>toFixed(0)</c>).</summary>
    public static string ToXsdInteger(double value)
    {
        if (Math.Abs(value) < 1e18)
        {
            return ((long)value).ToString(CultureInfo.InvariantCulture);
        }

        return ((Int128)value).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// True for a non-integral number whose JavaScript text (<see cref="ToEcmaScriptString"/>) has no
    /// <c>.</c> (only numbers below 10^-6 in magnitude are written in exponent form, so only they can lack one):
    /// jsonld.js's <c>isDouble</c> is false for it, so jsonld.js writes it as an integer
    /// (<see cref="ToJsonLdJsInteger"/>) where the specification writes an <c>xsd:double</c>.
    /// </summary>
    public static bool IsIntegerToJsonLdJs(double value)
        => double.IsFinite(value) && !double.IsInteger(value) && Math.Abs(value) < 1e-6
            && !ToEcmaScriptString(value).Contains('.', StringComparison.Ordinal);

    /// <summary>
    /// jsonld.js's <c>value.toFixed(0)</c> for a number of <see cref="IsIntegerToJsonLdJs"/> (all below 10^-6 in
    /// magnitude): <c>"0"</c>, or <c>"-0"</c> for a negative value.
    /// </summary>
    public static string ToJsonLdJsInteger(double value)
        => value < 0 ? "-0" : "0";

    /// <summary>
    /// The canonical <c>xsd:double</c> form: JavaScript <c>value.toExponential(15)</c> with trailing zeros of the
    /// fraction removed (one digit kept), <c>e+</c> → <c>E</c>, <c>e-</c> → <c>E-</c>: 1.1 → <c>1.1E0</c>,
    /// 1e21 → <c>1.0E21</c>, 0 → <c>0.0E0</c>. The 16 significant digits are rounded from the exact binary value,
    /// ties away from zero, as ECMAScript specifies.
    /// </summary>
    public static string ToXsdDouble(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Only finite numbers have an xsd:double canonical form here.");
        }

        if (value == 0)
        {
            return "0.0E0";
        }

        bool negative = value < 0;
        ExactDecimal(Math.Abs(value), out string digits, out int scale);

        // value = digits × 10^scale; the exponent of the leading digit:
        int exponent = digits.Length - 1 + scale;
        Span<char> mantissa = stackalloc char[16];
        int copy = Math.Min(digits.Length, 16);
        digits.AsSpan(0, copy).CopyTo(mantissa);
        mantissa[copy..].Fill('0');
        if (digits.Length > 16 && digits[16] >= '5')
        {
            int i = 15;
            while (i >= 0)
            {
                if (mantissa[i] == '9')
                {
                    mantissa[i] = '0';
                    i--;
                }
                else
                {
                    mantissa[i]++;
                    break;
                }
            }

            if (i < 0)
            {
                mantissa[0] = '1';
                exponent++;
            }
        }

        int fractionEnd = 16;
        while (fractionEnd > 2 && mantissa[fractionEnd - 1] == '0')
        {
            fractionEnd--;
        }

        Span<char> buffer = stackalloc char[32];
        int n = 0;
        if (negative)
        {
            buffer[n++] = '-';
        }

        buffer[n++] = mantissa[0];
        buffer[n++] = '.';
        mantissa[1..fractionEnd].CopyTo(buffer[n..]);
        n += fractionEnd - 1;
        buffer[n++] = 'E';
        exponent.TryFormat(buffer[n..], out int written, default, CultureInfo.InvariantCulture);
        n += written;
        return new string(buffer[..n]);
    }

    /// <summary>
    /// ECMAScript <c>Number::toString(x)</c> (ECMA-262 §6.1.6.1.20) for a finite double, as JCS (RFC 8785) requires:
    /// shortest round-trip digits, plain notation for exponents in [-7, 21), otherwise <c>d.ddde±n</c>.
    /// </summary>
    public static string ToEcmaScriptString(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "NaN and infinities have no JSON representation.");
        }

        if (value == 0)
        {
            return "0";
        }

        if (double.IsInteger(value) && Math.Abs(value) < 1e15)
        {
            return ((long)value).ToString(CultureInfo.InvariantCulture);
        }

        // .NET's shortest round-trip representation, e.g. "1.5E-07", "123.456", "1E+21". For a few powers of two
        // (e.g. 2^-25) it is one that does not round-trip; then search the shortest digits directly.
        string shortest = value.ToString("R", CultureInfo.InvariantCulture);
        if (double.Parse(shortest, NumberStyles.Float, CultureInfo.InvariantCulture) != value)
        {
            shortest = ShortestRoundTrip(value);
        }

        ReadOnlySpan<char> s = shortest;
        bool negative = s[0] == '-';
        if (negative)
        {
            s = s[1..];
        }

        int exponentOffset = 0;
        int e = s.IndexOfAny('E', 'e');
        if (e >= 0)
        {
            exponentOffset = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..e];
        }

        // value = 0.allDigits × 10^(integer digit count + exponent); drop leading and trailing zeros.
        int dot = s.IndexOf('.');
        int point = dot < 0 ? s.Length : dot;
        Span<char> digits = stackalloc char[32];
        int k = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '.')
            {
                continue;
            }

            if (k == 0 && c == '0')
            {
                point--;
                continue;
            }

            digits[k++] = c;
        }

        while (k > 1 && digits[k - 1] == '0')
        {
            k--;
        }

        return FormatDigits(negative, digits[..k], point + exponentOffset);
    }

    // ECMA-262 Number::toString, once the k digits d and n (value = 0.d × 10^n) are known: integer digits with trailing zeros,
    // a decimal point inside the digits, leading "0.000", or exponent notation.
    private static string FormatDigits(bool negative, ReadOnlySpan<char> d, int n)
    {
        int k = d.Length;
        var sb = new System.Text.StringBuilder(k + 8);
        if (negative)
        {
            sb.Append('-');
        }

        if (k <= n && n <= 21)
        {
            sb.Append(d).Append('0', n - k);
        }
        else if (n > 0 && n <= 21)
        {
            sb.Append(d[..n]).Append('.').Append(d[n..]);
        }
        else if (n > -6 && n <= 0)
        {
            sb.Append("0.").Append('0', -n).Append(d);
        }
        else
        {
            int exp = n - 1;
            sb.Append(d[0]);
            if (k > 1)
            {
                sb.Append('.').Append(d[1..]);
            }

            sb.Append('e').Append(exp < 0 ? '-' : '+').Append(Math.Abs(exp).ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    /// <summary>
    /// The shortest digits that round-trip to <paramref name="value"/>, preferring the closest candidate:
    /// for each precision the correctly rounded digits and the next ones up (the wider side of a power of two).
    /// </summary>
    private static string ShortestRoundTrip(double value)
    {
        for (int precision = 1; precision <= 17; precision++)
        {
            string rounded = value.ToString("E" + (precision - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            double parsed = double.Parse(rounded, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (parsed == value)
            {
                return rounded;
            }

            if (Math.Abs(parsed) < Math.Abs(value))
            {
                string up = NextUp(rounded);
                if (double.Parse(up, NumberStyles.Float, CultureInfo.InvariantCulture) == value)
                {
                    return up;
                }
            }
        }

        return value.ToString("E16", CultureInfo.InvariantCulture);
    }

    /// <summary>Adds one unit in the last mantissa digit of <c>[-]d.dddE±x</c>, e.g. 2.9E-08 → 30E-09.</summary>
    private static string NextUp(string scientific)
    {
        int e = scientific.IndexOf('E', StringComparison.Ordinal);
        int exponent = int.Parse(scientific.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        bool negative = scientific[0] == '-';
        var digits = new System.Text.StringBuilder(24);
        for (int i = negative ? 1 : 0; i < e; i++)
        {
            if (scientific[i] != '.')
            {
                digits.Append(scientific[i]);
            }
        }

        // The mantissa d.ddd (k digits) × 10^exponent = ddd × 10^(exponent - k + 1).
        int scale = exponent - digits.Length + 1;
        var next = BigInteger.Parse(digits.ToString(), CultureInfo.InvariantCulture) + BigInteger.One;
        return string.Concat(
            negative ? "-" : string.Empty,
            next.ToString(CultureInfo.InvariantCulture),
            "E",
            scale.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Writes the exact decimal expansion of a positive finite double as <paramref name="digits"/> × 10^<paramref name="scale"/>.</summary>
    private static void ExactDecimal(double value, out string digits, out int scale)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int biased = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
        int e2;
        if (biased == 0)
        {
            e2 = -1074;
        }
        else
        {
            mantissa |= 1L << 52;
            e2 = biased - 1075;
        }

        int zeros = BitOperations.TrailingZeroCount(mantissa);
        mantissa >>= zeros;
        e2 += zeros;

        if (e2 >= 0)
        {
            scale = 0;
            digits = e2 + (64 - BitOperations.LeadingZeroCount((ulong)mantissa)) < 63
                ? (mantissa << e2).ToString(CultureInfo.InvariantCulture)
                : (new BigInteger(mantissa) << e2).ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            // m × 2^e2 = m × 5^-e2 × 10^e2
            scale = e2;
            digits = (new BigInteger(mantissa) * BigInteger.Pow(5, -e2)).ToString(CultureInfo.InvariantCulture);
        }
    }
}
