using System.Globalization;
using System.Text;

namespace BadgeIssuer.Core.Model;

/// <summary>
/// Email addresses as recipients and profile contacts: normalised, then checked against the RFC 5322 §3.4.1
/// <c>addr-spec</c> grammar as RFC 5321 restricts it for delivery.
/// </summary>
/// <remarks>
/// <para>Normalisation: surrounding white space is trimmed; the domain is lower-cased and, when it has non-ASCII labels, converted to its ASCII (A-label, RFC 3492 Punycode) form with <see cref="IdnMapping"/>, which works
/// under invariant globalization (it does not case-fold non-ASCII letters itself, hence the lower-casing first; and
/// <see cref="string.Normalize()"/> is a no-op there, so a domain typed in decomposed form, u + U+0308 rather than ü,
/// gets another A-label, as IDNA2008 leaves such input undefined). The
/// local part is lower-cased too: strictly it is case-sensitive, but no mail system in use treats it so, and identity
/// hashes of recipients have always been computed over the lower-cased address, so they stay stable.</para>
/// <para>Grammar: the local part is a <c>dot-atom</c> (RFC 5322 <c>atext</c>, plus non-ASCII characters as RFC 6531
/// allows) of at most 64 characters; quoted local parts (<c>"a b"@example.org</c>) are refused, as are address
/// literals (<c>a@[192.0.2.1]</c>). The domain is at least two LDH labels of 1–63 characters that neither start nor end
/// with a hyphen, whose last label is not all digits; the address is at most 254 characters (RFC 5321 §4.5.3.1.3
/// path limit less the angle brackets).</para>
/// </remarks>
public static class EmailAddress
{
    /// <summary>The longest address accepted (after normalisation).</summary>
    public const int MaxLength = 254;

    /// <summary>The longest local part accepted (RFC 5321 §4.5.3.1.1).</summary>
    public const int MaxLocalPartLength = 64;

    private const string Specials = "!#$%&'*+-/=?^_`{|}~";
    private static readonly IdnMapping s_idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    /// <summary>
    /// Normalises <paramref name="input"/> and checks it; on failure <paramref name="error"/> says what is wrong
    /// (a sentence naming the part at fault).
    /// </summary>
    public static bool TryNormalize(string input, out string normalized, out string? error)
    {
        ArgumentNullException.ThrowIfNull(input);
        normalized = string.Empty;
        error = Check(input.Trim(), out string? result);
        if (error is not null)
        {
            return false;
        }

        normalized = result!;
        return true;
    }

    private static string? Check(string address, out string? normalized)
    {
        normalized = null;
        if (address.Length == 0)
        {
            return "The address is empty.";
        }

        if (address.Contains('"', StringComparison.Ordinal))
        {
            return "Quoted local parts (\"...\"@domain) are not accepted.";
        }

        int at = address.IndexOf('@', StringComparison.Ordinal);
        if (at < 0)
        {
            return "The address has no '@'.";
        }

        if (address.IndexOf('@', at + 1) >= 0)
        {
            return "The address has more than one '@'.";
        }

        string local = address[..at];
        string domain = address[(at + 1)..];
        if (CheckLocalPart(local) is { } localError)
        {
            return localError;
        }

        if (CheckDomain(domain, out string? asciiDomain) is { } domainError)
        {
            return domainError;
        }

        string result = local.ToLowerInvariant() + "@" + asciiDomain;
        if (result.Length > MaxLength)
        {
            return $"The address is longer than {MaxLength} characters.";
        }

        normalized = result;
        return null;
    }

    private static string? CheckLocalPart(string local)
    {
        if (local.Length == 0)
        {
            return "The address has nothing before the '@'.";
        }

        if (local.Length > MaxLocalPartLength)
        {
            return $"The part before the '@' is longer than {MaxLocalPartLength} characters.";
        }

        if (local[0] == '.' || local[^1] == '.')
        {
            return "The part before the '@' starts or ends with a dot.";
        }

        if (local.Contains("..", StringComparison.Ordinal))
        {
            return "The part before the '@' has two dots in a row.";
        }

        foreach (Rune rune in local.EnumerateRunes())
        {
            bool allowed = rune.IsAscii
                ? Rune.IsLetterOrDigit(rune) || rune.Value == '.' || Specials.Contains((char)rune.Value, StringComparison.Ordinal)
                : !(Rune.IsControl(rune) || Rune.IsWhiteSpace(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned);
            if (!allowed)
            {
                return Rune.IsWhiteSpace(rune)
                    ? "The part before the '@' contains white space."
                    : $"The part before the '@' contains '{Describe(rune)}', which is not allowed (letters, digits and {Specials} are).";
            }
        }

        return null;
    }

    private static string? CheckDomain(string domain, out string? ascii)
    {
        ascii = null;
        if (domain.Length == 0)
        {
            return "The address has no domain after the '@'.";
        }

        if (domain[0] == '[')
        {
            return "Address literals (user@[192.0.2.1]) are not accepted; use a domain name.";
        }

        if (domain.Contains("..", StringComparison.Ordinal) || domain[0] == '.' || domain[^1] == '.')
        {
            return "The domain has an empty label (a leading, trailing or doubled dot).";
        }

        string lowered = domain.ToLowerInvariant();
        if (!Ascii.IsValid(lowered))
        {
            foreach (Rune rune in lowered.EnumerateRunes())
            {
                if (Rune.IsControl(rune) || Rune.IsWhiteSpace(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
                {
                    return $"The domain contains '{Describe(rune)}', which is not allowed in a domain name.";
                }
            }

            try
            {
                lowered = s_idn.GetAscii(lowered);
            }
            catch (ArgumentException)
            {
                return "The domain is not a valid internationalised domain name.";
            }
        }

        string[] labels = lowered.Split('.');
        if (labels.Length < 2)
        {
            return "The domain needs at least one dot (e.g. example.org).";
        }

        foreach (string label in labels)
        {
            if (label.Length == 0)
            {
                // An ideographic or full-width dot (。 ．) becomes '.' only here, after IDN mapping.
                return "The domain has an empty label (a leading, trailing or doubled dot).";
            }

            if (label.Length > 63)
            {
                return "A domain label (the text between dots) is longer than 63 characters.";
            }

            if (label[0] == '-' || label[^1] == '-')
            {
                return $"The domain label '{label}' starts or ends with a hyphen.";
            }

            foreach (char c in label)
            {
                if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
                {
                    return c is ' ' or '\t'
                        ? "The domain contains white space."
                        : $"The domain contains '{c}'; a domain name has letters, digits, hyphens and dots only.";
                }
            }
        }

        if (labels[^1].All(char.IsAsciiDigit))
        {
            return "The domain's last label is all digits: use a domain name, not an IP address.";
        }

        if (lowered.Length > MaxLength - 2)
        {
            return $"The domain is longer than {MaxLength - 2} characters.";
        }

        ascii = lowered;
        return null;
    }

    private static string Describe(Rune rune) =>
        Rune.IsControl(rune) || Rune.IsWhiteSpace(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format
            ? "U+" + rune.Value.ToString("X4", CultureInfo.InvariantCulture)
            : rune.ToString();
}
