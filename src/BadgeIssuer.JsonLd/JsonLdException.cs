using System.Text;

namespace BadgeIssuer.JsonLd;

/// <summary>A JSON-LD processing error carrying the spec's error code.</summary>
public sealed class JsonLdException : Exception
{
    public JsonLdException()
        : this(JsonLdErrorCode.InvalidLocalContext, "JSON-LD processing failed.")
    {
    }

    public JsonLdException(string message)
        : this(JsonLdErrorCode.InvalidLocalContext, message)
    {
    }

    public JsonLdException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = JsonLdErrorCode.LoadingDocumentFailed;
    }

    public JsonLdException(JsonLdErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>The error code as an enum member.</summary>
    public JsonLdErrorCode Code { get; }

    /// <summary>The error code as the JSON-LD API spells it, e.g. <c>invalid @id value</c>.</summary>
    public string SpecCode => ToSpecCode(Code);

    /// <summary>Converts an error code into the spelling used by the JSON-LD API and its test suite.</summary>
    public static string ToSpecCode(JsonLdErrorCode code)
    {
        switch (code)
        {
            case JsonLdErrorCode.InvalidBaseIri: return "invalid base IRI";
            case JsonLdErrorCode.InvalidIriMapping: return "invalid IRI mapping";
            case JsonLdErrorCode.InvalidJsonLiteral: return "invalid JSON literal";
            case JsonLdErrorCode.IriConfusedWithPrefix: return "IRI confused with prefix";
            case JsonLdErrorCode.CyclicIriMapping: return "cyclic IRI mapping";
            case JsonLdErrorCode.InvalidIdValue: return "invalid @id value";
            case JsonLdErrorCode.InvalidImportValue: return "invalid @import value";
            case JsonLdErrorCode.InvalidIncludedValue: return "invalid @included value";
            case JsonLdErrorCode.InvalidIndexValue: return "invalid @index value";
            case JsonLdErrorCode.InvalidNestValue: return "invalid @nest value";
            case JsonLdErrorCode.InvalidPrefixValue: return "invalid @prefix value";
            case JsonLdErrorCode.InvalidPropagateValue: return "invalid @propagate value";
            case JsonLdErrorCode.InvalidProtectedValue: return "invalid @protected value";
            case JsonLdErrorCode.InvalidReverseValue: return "invalid @reverse value";
            case JsonLdErrorCode.InvalidVersionValue: return "invalid @version value";
            case JsonLdErrorCode.InvalidLanguageTaggedString: return "invalid language-tagged string";
            case JsonLdErrorCode.InvalidLanguageTaggedValue: return "invalid language-tagged value";
            default:
                break;
        }

        // Generic rule: PascalCase -> lower-case words.
        string name = code.ToString();
        var sb = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                sb.Append(' ');
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }
}
