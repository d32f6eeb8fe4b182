// A generated SVG badge image for achievements without an image of their own, bakeable by
// SvgBaking (root <svg> in the SVG namespace; the openbadges prefix is left for the baker to declare).
//
// Safety: SVG 1.1 with no DTD, scripts, styles, links or external references; only system fonts.
// Text is cleaned (lone surrogates become U+FFFD; control characters, U+FFFE/U+FFFF dropped; any
// whitespace run becomes one space) and all five XML special characters are escaped everywhere.
// Wrapping and truncation count grapheme clusters (StringInfo text elements), so a surrogate pair,
// combining sequence or ZWJ emoji is never split; wide (CJK, astral) clusters count double.
// Output is a pure function of the input (no culture, no randomized hashing): same input, same bytes.
using System.Globalization;
using System.Text;

namespace BadgeIssuer.Core.Baking;

/// <summary>Draws a simple circular badge image (SVG 1.1, UTF-8) showing an achievement and its issuer.</summary>
public static class BadgeSvgRenderer
{
    /// <summary>Width and height of the image, in user units and pixels.</summary>
    public const int Size = 400;

    /// <summary>Most lines the achievement name is wrapped onto.</summary>
    public const int MaxNameLines = 3;

    // Per-line budgets in width units (a narrow cluster is 1, a wide one 2).
    internal const int NameBudget = 16;
    internal const int IssuerBudget = 26;
    internal const int TypeBudget = 22;
    private const int TitleBudget = 256;
    private const string Ellipsis = "\u2026";
    private const string Font = "Helvetica, Arial, sans-serif";

    // Default accents: dark enough for the white ring and star to stand out.
    internal static readonly string[] Palette =
        ["#1d4ed8", "#047857", "#b91c1c", "#7c3aed", "#c2410c", "#0e7490", "#be185d", "#4d7c0f"];

    /// <summary>Renders <paramref name="content"/> as UTF-8 SVG bytes (no BOM).</summary>
    /// <exception cref="ArgumentException">A name is null, empty or whitespace, or <see cref="BadgeSvgContent.AccentColor"/> is not <c>#rrggbb</c>.</exception>
    public static byte[] Render(BadgeSvgContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrWhiteSpace(content.AchievementName);
        ArgumentException.ThrowIfNullOrWhiteSpace(content.IssuerName);
        string name = Clean(content.AchievementName);
        string issuer = Clean(content.IssuerName);
        if (name.Length == 0 || issuer.Length == 0)
        {
            throw new ArgumentException("The achievement and issuer names must contain visible characters.", nameof(content));
        }

        string accent = content.AccentColor is null ? DefaultAccent(name) : ParseColor(content.AccentColor);
        string type = Truncate(Clean(content.AchievementType ?? string.Empty).ToUpperInvariant(), TypeBudget);
        List<string> lines = Wrap(name, NameBudget, MaxNameLines);
        string title = Truncate(name, TitleBudget);

        var svg = new StringBuilder(2048);
        IFormatProvider inv = CultureInfo.InvariantCulture;
        svg.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.Append(inv, $"<svg xmlns=\"{SvgBaking.SvgNamespace}\" version=\"1.1\" width=\"{Size}\" height=\"{Size}\" viewBox=\"0 0 {Size} {Size}\" role=\"img\" aria-label=\"");
        AppendEscaped(svg, title + ", issued by " + Truncate(issuer, TitleBudget));
        svg.Append("\">\n<title>");
        AppendEscaped(svg, title);
        svg.Append("</title>\n");
        svg.Append(inv, $"<circle cx=\"200\" cy=\"200\" r=\"192\" fill=\"{accent}\"/>\n");
        svg.Append("<circle cx=\"200\" cy=\"200\" r=\"183\" fill=\"none\" stroke=\"#ffffff\" stroke-width=\"2\" stroke-dasharray=\"3 5\" stroke-opacity=\"0.7\"/>\n");
        svg.Append("<circle cx=\"200\" cy=\"200\" r=\"172\" fill=\"#ffffff\"/>\n");
        svg.Append(inv, $"<circle cx=\"200\" cy=\"200\" r=\"163\" fill=\"none\" stroke=\"{accent}\" stroke-width=\"2\"/>\n");
        svg.Append(inv, $"<polygon fill=\"{accent}\" points=\"200,62 204.41,73.93 217.12,74.44 207.13,82.32 210.58,94.56 200,87.5 189.42,94.56 192.87,82.32 182.88,74.44 195.59,73.93\"/>\n");
        svg.Append(inv, $"<line x1=\"160\" y1=\"266\" x2=\"240\" y2=\"266\" stroke=\"{accent}\" stroke-width=\"2\"/>\n");
        svg.Append(inv, $"<g font-family=\"{Font}\" text-anchor=\"middle\">\n");
        if (type.Length > 0)
        {
            svg.Append("<text class=\"type\" x=\"200\" y=\"126\" font-size=\"14\" font-weight=\"700\" letter-spacing=\"2\" fill=\"#4b5563\">");
            AppendEscaped(svg, type);
            svg.Append("</text>\n");
        }

        int fontSize = lines.Count switch { 1 => 32, 2 => 30, _ => 26 };
        int lineHeight = fontSize + (fontSize / 4);
        int firstBaseline = 205 - ((lines.Count - 1) * lineHeight / 2) + (fontSize * 7 / 20);
        svg.Append(inv, $"<text class=\"name\" font-size=\"{fontSize}\" font-weight=\"700\" fill=\"#111827\">");
        for (int i = 0; i < lines.Count; i++)
        {
            svg.Append(inv, $"<tspan x=\"200\" y=\"{firstBaseline + (i * lineHeight)}\">");
            AppendEscaped(svg, lines[i]);
            svg.Append("</tspan>");
        }

        svg.Append("</text>\n<text class=\"issuer\" x=\"200\" y=\"300\" font-size=\"18\" fill=\"#374151\">");
        AppendEscaped(svg, Truncate(issuer, IssuerBudget));
        svg.Append("</text>\n</g>\n</svg>\n");
        return Encoding.UTF8.GetBytes(svg.ToString());
    }

    // Lone surrogates -> U+FFFD (EnumerateRunes); whitespace runs -> one space, trimmed; controls and
    // U+FFFE/U+FFFF (not XML 1.0 characters) dropped.
    internal static string Clean(string value)
    {
        var result = new StringBuilder(value.Length);
        bool pendingSpace = false;
        foreach (Rune rune in value.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune))
            {
                pendingSpace = result.Length > 0;
            }
            else if (!Rune.IsControl(rune) && rune.Value is not (0xFFFE or 0xFFFF))
            {
                if (pendingSpace)
                {
                    result.Append(' ');
                    pendingSpace = false;
                }

                result.Append(rune.ToString());
            }
        }

        return result.ToString();
    }

    // Greedy word wrap; a word longer than a line is broken between clusters; the last allowed line
    // takes all remaining text and is truncated with an ellipsis.
    internal static List<string> Wrap(string text, int budget, int maxLines)
    {
        var lines = new List<string>();
        ReadOnlySpan<char> rest = text;
        while (!rest.IsEmpty)
        {
            if (lines.Count == maxLines - 1 || Width(rest) <= budget)
            {
                lines.Add(Truncate(rest.ToString(), budget));
                break;
            }

            int fit = Fit(rest, budget);
            int space = rest[fit] == ' ' ? fit : rest[..fit].LastIndexOf(' ');
            int end = space > 0 ? space : fit;
            lines.Add(rest[..end].TrimEnd(' ').ToString());
            rest = rest[end..].TrimStart(' ');
        }

        return lines;
    }

    internal static string Truncate(string text, int budget) =>
        Width(text) <= budget ? text : text.AsSpan(0, Fit(text, budget - 1)).TrimEnd(' ').ToString() + Ellipsis;

    // Chars of whole clusters from the start of text that fit in budget (at least one cluster).
    private static int Fit(ReadOnlySpan<char> text, int budget)
    {
        int used = 0;
        int end = 0;
        while (end < text.Length)
        {
            int length = StringInfo.GetNextTextElementLength(text[end..]);
            used += ClusterWidth(text.Slice(end, length));
            if (used > budget && end > 0)
            {
                break;
            }

            end += length;
        }

        return end;
    }

    private static int Width(ReadOnlySpan<char> text)
    {
        int width = 0;
        for (int i = 0; i < text.Length;)
        {
            int length = StringInfo.GetNextTextElementLength(text[i..]);
            width += ClusterWidth(text.Slice(i, length));
            i += length;
        }

        return width;
    }

    // CJK, Hangul, fullwidth forms and the astral planes (emoji) are drawn about twice as wide.
    private static int ClusterWidth(ReadOnlySpan<char> cluster) =>
        Rune.DecodeFromUtf16(cluster, out Rune first, out _) == System.Buffers.OperationStatus.Done && first.Value >= 0x2E80 ? 2 : 1;

    private static void AppendEscaped(StringBuilder builder, string text)
    {
        foreach (char c in text)
        {
            string? entity = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                _ => null,
            };
            if (entity is null)
            {
                builder.Append(c);
            }
            else
            {
                builder.Append(entity);
            }
        }
    }

    internal static string ParseColor(string color)
    {
        if (color.Length != 7 || color[0] != '#' || !color.Skip(1).All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"The accent colour must be #rrggbb, not '{color}'.", nameof(color));
        }

        return color.ToLowerInvariant();
    }

    // FNV-1a over the cleaned name's UTF-16 units: stable across processes, unlike string.GetHashCode.
    internal static string DefaultAccent(string name)
    {
        uint hash = 2166136261;
        foreach (char c in name)
        {
            hash = unchecked((hash ^ c) * 16777619);
        }

        return Palette[hash % (uint)Palette.Length];
    }
}
