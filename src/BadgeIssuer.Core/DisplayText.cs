using System.Globalization;

namespace BadgeIssuer.Core;

/// <summary>Text shown to people (verdicts, reasons, terminal output) and the characters that must not reach them as-is.</summary>
public static class DisplayText
{
    /// <summary>
    /// A character that does not read as what it is: a control character (line breaks and tabs included), a format
    /// character (bidirectional marks, embeddings, overrides and isolates, zero-width characters) or a line or paragraph
    /// separator. Such a character can end a line, hide text or reorder what a reader sees.
    /// </summary>
    public static bool IsHidden(char c) =>
        char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
