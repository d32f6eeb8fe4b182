using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using BadgeIssuer.Core;

namespace BadgeIssuer.Api.Features.Credentials;

/// <summary>
/// Builds an HTML document in which markup and text cannot be confused: markup comes only from constants written here
/// (<see cref="Markup"/>, checked by the compiler through <see cref="ConstantExpectedAttribute"/>), and every value,
/// in text or in a double-quoted attribute, passes the HTML encoder. Values from a credential are attacker-influenced
/// (anyone with an issuing key writes names and descriptions), so nothing else may reach the output.
/// </summary>
internal sealed class HtmlBuilder
{
    // Every script left readable (names in any language stay text, not numeric references); the encoder still escapes
    // & < > " ' and the characters HTML gives meaning to.
    private static readonly HtmlEncoder s_encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly StringBuilder _html = new(4096);

    /// <summary>Markup written as it is: a constant of this feature, never a value.</summary>
    public HtmlBuilder Markup([ConstantExpected] string markup)
    {
        _html.Append(markup);
        return this;
    }

    /// <summary>A value as element text, encoded.</summary>
    public HtmlBuilder Text(string value)
    {
        _html.Append(s_encoder.Encode(value));
        return this;
    }

    /// <summary><c> name="value"</c>, the value encoded for a double-quoted attribute.</summary>
    public HtmlBuilder Attribute([ConstantExpected] string name, string value)
    {
        _html.Append(' ').Append(name).Append("=\"").Append(s_encoder.Encode(value)).Append('"');
        return this;
    }

    public override string ToString() => _html.ToString();

    /// <summary>
    /// A one-line value for display: control characters (line breaks included) become spaces, bidirectional and other
    /// invisible format characters are dropped (they could reorder what surrounds them or hide text), runs of white
    /// space collapse, and at most <paramref name="max"/> characters are kept (then "…"). Empty becomes null.
    /// </summary>
    public static string? OneLine(string? value, int max) => Clean(value, max, keepLineBreaks: false);

    /// <summary>As <see cref="OneLine"/>, keeping line breaks (shown by the page's style) for descriptions and narratives.</summary>
    public static string? Paragraphs(string? value, int max) => Clean(value, max, keepLineBreaks: true);

    /// <summary>An absolute <c>http</c> or <c>https</c> URL, or null: no other scheme (<c>javascript:</c>, <c>data:</c>) becomes a link.</summary>
    public static string? WebUrl(string? value)
        => value is not null && value.Length <= 2048
            && Uri.TryCreate(value, UriKind.Absolute, out Uri? uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            && !value.Any(DisplayText.IsHidden)
                ? uri.AbsoluteUri
                : null;

    /// <summary>The date part of an xsd:dateTime as written (in its own offset), or null when it is not one.</summary>
    public static string? DateOf(string? lexical)
        => lexical is not null && DateTimeOffset.TryParse(lexical, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTimeOffset parsed)
            ? parsed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null;

    private static string? Clean(string? value, int max, bool keepLineBreaks)
    {
        if (value is null)
        {
            return null;
        }

        var clean = new StringBuilder(Math.Min(value.Length, max + 1));
        bool space = false;
        int newlines = 0;
        for (int i = 0; i < value.Length && clean.Length <= max; i++)
        {
            char c = value[i];
            if (keepLineBreaks && c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < value.Length && value[i + 1] == '\n')
                {
                    continue; // CR LF is one break
                }

                // At most one empty line in a row; none at the start.
                if (clean.Length > 0 && newlines < 2)
                {
                    clean.Append('\n');
                    newlines++;
                }

                space = false;
                continue;
            }

            // Hidden characters are dropped, except white space (tabs, other line breaks), which collapses below.
            if (DisplayText.IsHidden(c) && !char.IsWhiteSpace(c))
            {
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                space = clean.Length > 0 && newlines == 0;
                continue;
            }

            if (space)
            {
                clean.Append(' ');
                space = false;
            }

            clean.Append(c);
            newlines = 0;
        }

        string text = clean.ToString().TrimEnd();
        if (text.Length > max)
        {
            int cut = max - 1;
            if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
            {
                cut--;
            }

            text = text[..cut] + "…";
        }

        return text.Length == 0 ? null : text;
    }
}
