using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace BadgeIssuer.Core.Internal;

/// <summary>
/// Parses JSON that is verified or signed over: bounded depth, and duplicate member names refused (parsers disagree on
/// which one counts, so a document that repeats a name can mean two things). Never throws on bad input.
/// </summary>
internal static class StrictJson
{
    /// <summary>Parses <paramref name="utf8"/>; false with a sentence saying why (for a report) when it cannot be read.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> utf8, int maxDepth, [NotNullWhen(true)] out JsonDocument? document, [NotNullWhen(false)] out string? error)
    {
        document = null;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = maxDepth, AllowDuplicateProperties = false });
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            error = ex.Message.Contains("Duplicate property", StringComparison.Ordinal)
                ? $"refused: a member name is repeated in one object ({ex.Message}); parsers disagree on which one counts, so each member must be named once"
                : $"not valid JSON: {ex.Message}";
            return false;
        }
        catch (InvalidOperationException)
        {
            // The duplicate check compares member names: one holding an unpaired surrogate escape fails there.
            error = "not valid JSON text: a member name holds an unpaired surrogate escape";
            return false;
        }
    }
}
