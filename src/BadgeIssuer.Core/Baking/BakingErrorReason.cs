namespace BadgeIssuer.Core.Baking;

/// <summary>Why baking or unbaking failed.</summary>
public enum BakingErrorReason
{
    /// <summary>Neither a PNG (signature) nor an XML/SVG document.</summary>
    UnsupportedFormat,

    /// <summary>The caller named a format the bytes are not in.</summary>
    FormatMismatch,

    /// <summary>The image is larger than <see cref="BakedBadge.MaxImageBytes"/>.</summary>
    ImageTooLarge,

    /// <summary>The payload (UTF-8) is larger than <see cref="BakedBadge.MaxPayloadBytes"/>, or decompresses past it.</summary>
    PayloadTooLarge,

    /// <summary>The payload is neither a JSON object nor a compact JWS, or holds characters the format cannot carry.</summary>
    InvalidPayload,

    /// <summary>The baked text is not valid UTF-8.</summary>
    InvalidPayloadEncoding,

    /// <summary>The image holds no <c>openbadgecredential</c> iTXt chunk / <c>openbadges:credential</c> element.</summary>
    CredentialNotFound,

    /// <summary>The image carries more than one credential (BAKE-3, BAKE-6: at most one).</summary>
    DuplicateCredential,

    /// <summary>Re-baking was asked to fail when a credential is present (BAKE-3, BAKE-6).</summary>
    CredentialAlreadyPresent,

    /// <summary>PNG: the first 8 bytes are not the PNG signature.</summary>
    InvalidPngSignature,

    /// <summary>PNG: a chunk runs past the end of the input.</summary>
    TruncatedChunk,

    /// <summary>PNG: a chunk length above 2^31-1 or a chunk type that is not four ASCII letters.</summary>
    InvalidChunk,

    /// <summary>PNG: a chunk's CRC-32 does not match its type and data.</summary>
    ChunkCrcMismatch,

    /// <summary>PNG: the first chunk is not a 13-byte IHDR.</summary>
    MissingHeader,

    /// <summary>PNG: the input ends without an IEND chunk.</summary>
    MissingEnd,

    /// <summary>PNG: bytes follow the IEND chunk.</summary>
    DataAfterEnd,

    /// <summary>PNG: the <c>openbadgecredential</c> iTXt chunk is malformed (missing separators, bad flags).</summary>
    MalformedTextChunk,

    /// <summary>PNG: an iTXt compression method other than 0 (zlib).</summary>
    UnsupportedCompression,

    /// <summary>SVG: the document is not UTF-8.</summary>
    UnsupportedEncoding,

    /// <summary>SVG: not well-formed XML (the message carries line and position).</summary>
    InvalidXml,

    /// <summary>SVG: a DOCTYPE with an internal subset (entity or other declarations).</summary>
    DtdNotAllowed,

    /// <summary>SVG: the root element is not <c>svg</c>.</summary>
    MissingSvgRoot,

    /// <summary>SVG: the prefix <c>openbadges</c> is already bound to another namespace on the root.</summary>
    NamespacePrefixConflict,

    /// <summary>SVG: the credential element has child elements.</summary>
    MalformedCredentialElement,

    /// <summary>PNG image check: IHDR holds an undefined colour type/bit depth combination or method, or IHDR repeats.</summary>
    InvalidImageHeader,

    /// <summary>PNG image check: wider or taller than <see cref="BakedBadge.MaxPngDimension"/>, or decoding to more than <see cref="BakedBadge.MaxPngImageDataBytes"/>.</summary>
    ImageDimensionsTooLarge,

    /// <summary>PNG image check: no IDAT, IDATs apart, or image data that is not zlib or inflates to other than the size IHDR declares.</summary>
    InvalidImageData,
}
