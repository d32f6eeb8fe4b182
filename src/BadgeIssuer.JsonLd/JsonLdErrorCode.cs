namespace BadgeIssuer.JsonLd;

/// <summary>
/// The error codes of the JSON-LD 1.1 API (section 9.4.2 <c>JsonLdErrorCode</c>), one member per spec code in the
/// spec's order, followed by the codes this library adds for safe mode and resource limits.
/// </summary>
public enum JsonLdErrorCode
{
    CollidingKeywords,
    ConflictingIndexes,
    ContextOverflow,
    CyclicIriMapping,
    InvalidBaseDirection,
    InvalidBaseIri,
    InvalidContainerMapping,
    InvalidContextEntry,
    InvalidContextNullification,
    InvalidDefaultLanguage,
    InvalidIdValue,
    InvalidImportValue,
    InvalidIncludedValue,
    InvalidIndexValue,
    InvalidIriMapping,
    InvalidJsonLiteral,
    InvalidKeywordAlias,
    InvalidLanguageMapValue,
    InvalidLanguageMapping,
    InvalidLanguageTaggedString,
    InvalidLanguageTaggedValue,
    InvalidLocalContext,
    InvalidNestValue,
    InvalidPrefixValue,
    InvalidPropagateValue,
    InvalidProtectedValue,
    InvalidRemoteContext,
    InvalidReverseProperty,
    InvalidReversePropertyMap,
    InvalidReversePropertyValue,
    InvalidReverseValue,
    InvalidScopedContext,
    InvalidScriptElement,
    InvalidSetOrListObject,
    InvalidTermDefinition,
    InvalidTypeMapping,
    InvalidTypeValue,
    InvalidTypedValue,
    InvalidValueObject,
    InvalidValueObjectValue,
    InvalidVersionValue,
    InvalidVocabMapping,
    IriConfusedWithPrefix,
    KeywordRedefinition,
    LoadingDocumentFailed,
    LoadingRemoteContextFailed,
    MultipleContextLinkHeaders,
    ProcessingModeConflict,
    ProtectedTermRedefinition,
    RecursiveContextInclusion,
    ListOfLists,

    /// <summary>Safe mode: a property term or compact IRI is not defined by the active context and would be dropped.</summary>
    SafeModeUndefinedTerm,

    /// <summary>Safe mode: a <c>@type</c> value (or a <c>@vocab</c>-relative value) does not expand to an absolute IRI.</summary>
    SafeModeRelativeType,

    /// <summary>Safe mode: an <c>@id</c> value does not expand to an absolute IRI or blank node identifier.</summary>
    SafeModeRelativeId,

    /// <summary>Safe mode: a value, property or object would be silently dropped by expansion.</summary>
    SafeModeDroppedValue,

    /// <summary>Safe mode: a language tag is not well-formed BCP 47.</summary>
    SafeModeInvalidLanguageTag,

    /// <summary>
    /// Not a JSON-LD error: a number jsonld.js converts to RDF differently from the specification, refused under
    /// <see cref="JsonLdJsNumbers.Refuse"/>.
    /// </summary>
    NumberNotPortable,

    /// <summary>A configured bound (document depth, number of contexts, scoped-context nesting) was exceeded.</summary>
    ResourceLimitExceeded,
}
