// OB 3.0 §"Baked Badge" (DIGEST BAKE-1..7): bake a credential (JSON with an embedded proof, or a
// compact JWS) into a PNG or SVG badge image and read it back.
//
// Limits (spec silent): images up to 16 MiB, baked text up to 2 MiB of UTF-8. Format detection:
// the PNG signature, else a document that starts (after an optional UTF-8 BOM and whitespace) with
// '<' is parsed as SVG and must have an <svg> root.
using System.Buffers;

namespace BadgeIssuer.Core.Baking;

/// <summary>Bakes credentials into PNG/SVG badge images and extracts them (Open Badges 3.0 §"Baked Badge").</summary>
public static class BakedBadge
{
    /// <summary>Largest image accepted, in bytes.</summary>
    public const int MaxImageBytes = 16 * 1024 * 1024;

    /// <summary>Largest baked text, in UTF-8 bytes (after decompression for a compressed iTXt).</summary>
    public const int MaxPayloadBytes = 2 * 1024 * 1024;

    /// <summary>Widest and tallest PNG <see cref="CheckPngImage"/> accepts, in pixels.</summary>
    public const int MaxPngDimension = 4096;

    /// <summary>
    /// Most filtered image data (scanlines with their filter bytes) a PNG may decode to in <see cref="CheckPngImage"/>:
    /// a <see cref="MaxPngDimension"/>-square 8-bit RGBA image, about 64 MiB.
    /// </summary>
    public const long MaxPngImageDataBytes = MaxPngDimension * (1L + (MaxPngDimension * 4L));

    /// <summary>The PNG iTXt keyword (BAKE-2); OB 2.0 used <c>openbadges</c>.</summary>
    public const string PngKeyword = "openbadgecredential";

    /// <summary>The SVG namespace (BAKE-7); not <c>…/spec/ob/v3p0</c>.</summary>
    public const string SvgNamespace = SvgBaking.OpenBadgesNamespace;

    /// <summary>The format of <paramref name="image"/> by its first bytes, or null when it is neither PNG nor XML.</summary>
    public static BadgeImageFormat? DetectFormat(ReadOnlySpan<byte> image)
    {
        if (PngBaking.HasSignature(image))
        {
            return BadgeImageFormat.Png;
        }

        return SvgBaking.LooksLikeXml(image) ? BadgeImageFormat.Svg : null;
    }

    /// <summary>
    /// Writes <paramref name="image"/> with <paramref name="payload"/> baked in to <paramref name="destination"/>
    /// and returns the format used. An existing credential is replaced unless <paramref name="existing"/> says otherwise.
    /// </summary>
    /// <param name="image">A PNG or SVG image.</param>
    /// <param name="payload">Credential JSON (starts with '{') or a compact JWS.</param>
    /// <param name="destination">Receives the baked image.</param>
    /// <param name="format">The expected format; null detects it.</param>
    /// <param name="existing">Replace (default) or refuse an existing credential.</param>
    /// <exception cref="BakingException">The image or payload cannot be baked; <see cref="BakingException.Reason"/> says why.</exception>
    public static BadgeImageFormat Bake(
        ReadOnlySpan<byte> image,
        string payload,
        IBufferWriter<byte> destination,
        BadgeImageFormat? format = null,
        ExistingCredentialHandling existing = ExistingCredentialHandling.Replace)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(destination);
        BadgeImageFormat actual = ResolveFormat(image, format);
        PayloadKind kind = BakingPayload.Classify(payload);
        if (actual == BadgeImageFormat.Png)
        {
            PngBaking.Bake(image, payload, existing, destination);
        }
        else
        {
            byte[] svg = SvgBaking.Bake(image, payload, kind, existing);
            Span<byte> span = destination.GetSpan(svg.Length);
            svg.CopyTo(span);
            destination.Advance(svg.Length);
        }

        return actual;
    }

    /// <inheritdoc cref="Bake(ReadOnlySpan{byte}, string, IBufferWriter{byte}, BadgeImageFormat?, ExistingCredentialHandling)"/>
    /// <returns>The baked image.</returns>
    public static byte[] Bake(
        ReadOnlySpan<byte> image,
        string payload,
        BadgeImageFormat? format = null,
        ExistingCredentialHandling existing = ExistingCredentialHandling.Replace)
    {
        var buffer = new ArrayBufferWriter<byte>(image.Length + (payload?.Length ?? 0) + 256);
        Bake(image, payload!, buffer, format, existing);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Checks a PNG that is to be stored and served as a badge image: the chunk checks baking makes (signature, CRCs,
    /// IHDR first, IEND last), an IHDR within <see cref="MaxPngDimension"/>, and a bounded inflate of the image data,
    /// which must come to exactly the size the header declares (at most <see cref="MaxPngImageDataBytes"/>); compressed
    /// text and ICC profile chunks inflate to at most <see cref="MaxPayloadBytes"/> in all, the bound on baked text.
    /// </summary>
    /// <exception cref="BakingException">The image is malformed or over a limit; <see cref="BakingException.Reason"/> says which.</exception>
    public static void CheckPngImage(ReadOnlySpan<byte> png)
    {
        if (png.Length > MaxImageBytes)
        {
            throw new BakingException(BakingErrorReason.ImageTooLarge, $"The image is {png.Length} bytes; at most {MaxImageBytes} are accepted.");
        }

        PngImageCheck.Check(png);
    }

    /// <summary>Extracts the baked credential (BAKE-4, BAKE-6).</summary>
    /// <exception cref="BakingException">The image is malformed, over a limit, or carries no credential.</exception>
    public static UnbakedBadge Unbake(ReadOnlySpan<byte> image)
    {
        BadgeImageFormat format = ResolveFormat(image, null);
        string payload = format == BadgeImageFormat.Png ? PngBaking.Unbake(image) : SvgBaking.Unbake(image);
        return new UnbakedBadge(format, payload);
    }

    /// <summary>Extracts the baked credential; false (and the reason) instead of an exception.</summary>
    public static bool TryUnbake(
        ReadOnlySpan<byte> image,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UnbakedBadge? badge,
        out BakingErrorReason reason)
    {
        try
        {
            badge = Unbake(image);
            reason = default;
            return true;
        }
        catch (BakingException ex)
        {
            badge = null;
            reason = ex.Reason;
            return false;
        }
    }

    private static BadgeImageFormat ResolveFormat(ReadOnlySpan<byte> image, BadgeImageFormat? requested)
    {
        if (image.Length > MaxImageBytes)
        {
            throw new BakingException(BakingErrorReason.ImageTooLarge, $"The image is {image.Length} bytes; at most {MaxImageBytes} are accepted.");
        }

        BadgeImageFormat detected = DetectFormat(image)
            ?? throw new BakingException(BakingErrorReason.UnsupportedFormat, "Only PNG and SVG images can carry a baked credential.", 0);
        if (requested is BadgeImageFormat expected && expected != detected)
        {
            throw new BakingException(BakingErrorReason.FormatMismatch, $"The image is {detected}, not {expected}.", 0);
        }

        return detected;
    }
}
