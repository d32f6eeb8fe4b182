using System.Buffers;
using System.Text;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.Baking;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>
/// <c>multipart/form-data</c> for <c>POST /credentials/verify</c> (an HTML form or <c>curl -F file=@badge.png</c>):
/// exactly one file part — a baked PNG or SVG, credential JSON or a compact VC-JWT, recognised by its bytes and checked
/// against its declared Content-Type — plus optional <c>recipient</c> and <c>trustVerificationMethodFragment</c> text fields.
/// </summary>
internal sealed record BadgeUpload(byte[]? Credential, string? Recipient, ProblemHttpResult? Problem)
{
    /// <summary>The form field trustVerificationMethodFragment, when given.</summary>
    public bool? TrustVerificationMethodFragment { get; init; }

    /// <summary>Room for boundaries and part headers on top of the largest file.</summary>
    public const int FramingBytes = 64 * 1024;

    private const int MaxRecipientBytes = 1024;

    private static readonly SearchValues<char> s_jwsChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // What a declared part Content-Type promises; other types (application/octet-stream, text/plain, none) promise nothing.
    private static readonly Dictionary<string, FileKind> s_declared = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/png"] = FileKind.Png,
        ["image/svg+xml"] = FileKind.Svg,
        ["application/json"] = FileKind.Json,
        ["application/ld+json"] = FileKind.Json,
        ["application/vc+ld+json"] = FileKind.Json,
        ["application/vc+jwt"] = FileKind.Jwt,
        ["application/jwt"] = FileKind.Jwt,
    };

    /// <summary>The largest multipart body read for <paramref name="options"/>.</summary>
    public static int MaxBodyBytes(VerifyOptions options) => (int)Math.Min((long)options.MaxImageBytes + FramingBytes, int.MaxValue);

    public static async Task<BadgeUpload> ReadAsync(byte[] body, string contentType, VerifyOptions options, CancellationToken cancellationToken)
    {
        string? boundary = MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? mediaType)
            ? HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value
            : null;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 70)
        {
            return Fail(ApiProblems.MalformedBody.Result("multipart/form-data needs a boundary parameter of 1 to 70 characters."));
        }

        int files = 0;
        byte[]? file = null;
        string? declared = null;
        string? recipient = null;
        bool? trust = null;
        try
        {
            var reader = new MultipartReader(boundary, new MemoryStream(body, writable: false)) { HeadersCountLimit = 16, HeadersLengthLimit = 8 * 1024 };
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out ContentDispositionHeaderValue? disposition))
                {
                    continue;
                }

                if (disposition.IsFileDisposition())
                {
                    // Only the first file is kept; the others are counted to refuse the request.
                    files++;
                    if (files == 1)
                    {
                        file = await ReadAllAsync(section.Body, cancellationToken);
                        declared = MediaTypeHeaderValue.TryParse(section.ContentType, out MediaTypeHeaderValue? partType) ? partType.MediaType.Value : null;
                    }
                }
                else if (string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, "recipient", StringComparison.Ordinal))
                {
                    byte[] value = await ReadAllAsync(section.Body, cancellationToken);
                    if (value.Length > MaxRecipientBytes || !TryDecode(value, out string text) || string.IsNullOrWhiteSpace(text))
                    {
                        return Fail(ApiProblems.UnsupportedRequest.Result("The 'recipient' field must be a non-empty email address or identifier of at most 1024 bytes."));
                    }

                    recipient = text.Trim();
                }
                else if (string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, TrustOption.Name, StringComparison.Ordinal))
                {
                    byte[] value = await ReadAllAsync(section.Body, cancellationToken);
                    string? text = value.Length <= 16 && TryDecode(value, out string decoded) ? decoded : string.Empty;
                    if (trust is not null)
                    {
                        return Fail(ApiProblems.UnsupportedRequest.Result($"Give the form field '{TrustOption.Name}' once."));
                    }

                    if (TrustOption.FromText(text, "form field", out trust) is ProblemHttpResult badTrust)
                    {
                        return Fail(badTrust);
                    }
                }
            }
        }
        catch (InvalidDataException ex)
        {
            return Fail(ApiProblems.MalformedBody.Result("The multipart body is malformed: " + ex.Message));
        }
        catch (IOException ex)
        {
            return Fail(ApiProblems.MalformedBody.Result("The multipart body is malformed: " + ex.Message));
        }

        if (files != 1)
        {
            return Fail(VerifyProblems.UploadFileCount.Result(
                files == 0
                    ? "The form has no file part; attach one badge (PNG, SVG, JSON or JWT) as a file field, e.g. curl -F file=@badge.png."
                    : $"The form has {files} file parts; attach exactly one badge.",
                new Dictionary<string, object?>(StringComparer.Ordinal) { ["files"] = files }));
        }

        return Classify(file!, declared, options, recipient) with { TrustVerificationMethodFragment = trust };
    }

    private static BadgeUpload Classify(byte[] file, string? declared, VerifyOptions options, string? recipient)
    {
        if (file.Length == 0)
        {
            return Fail(ApiProblems.MalformedBody.Result("The uploaded file is empty."));
        }

        FileKind? kind = BakedBadge.DetectFormat(file) switch
        {
            BadgeImageFormat.Png => FileKind.Png,
            BadgeImageFormat.Svg => FileKind.Svg,
            _ => null,
        };
        string? text = null;
        if (kind is null && TryDecode(file, out string decoded))
        {
            text = decoded.Trim().TrimStart('\uFEFF');
            kind = text.StartsWith('{') ? FileKind.Json : IsCompactJws(text) ? FileKind.Jwt : null;
        }

        if (kind is not FileKind found)
        {
            return Fail(ApiProblems.MalformedBody.Result("The uploaded file is not a PNG or SVG badge, credential JSON or a compact VC-JWT."));
        }

        if (declared is not null && s_declared.TryGetValue(declared, out FileKind promised) && promised != found)
        {
            return Fail(ApiProblems.MalformedBody.Result($"The uploaded file is declared as {declared} but its content is {Describe(found)}."));
        }

        int limit = found is FileKind.Png or FileKind.Svg ? options.MaxImageBytes : options.MaxJsonBytes;
        if (file.Length > limit)
        {
            return Fail(ApiProblems.BodyTooLarge.Result($"The uploaded {Describe(found)} is {file.Length} bytes; the limit is {limit}."));
        }

        byte[] credential = text is null ? file : Encoding.UTF8.GetBytes(text);
        return new BadgeUpload(credential, recipient, null);
    }

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.Png => "a PNG image",
        FileKind.Svg => "an SVG image",
        FileKind.Json => "JSON",
        _ => "a compact JWS",
    };

    private static BadgeUpload Fail(ProblemHttpResult problem) => new(null, null, problem);

    private static async Task<byte[]> ReadAllAsync(Stream body, CancellationToken cancellationToken)
    {
        // The whole request is already bounded (MaxBodyBytes), so a part is too.
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static bool TryDecode(byte[] bytes, out string text)
    {
        try
        {
            text = s_strictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    // Three base64url segments separated by two dots; header and signature not empty.
    private static bool IsCompactJws(ReadOnlySpan<char> value)
        => !value.IsEmpty && !value.ContainsAnyExcept(s_jwsChars) && value.Count('.') == 2
            && value.IndexOf('.') > 0 && value.LastIndexOf('.') < value.Length - 1;

    private enum FileKind
    {
        Png,
        Svg,
        Json,
        Jwt,
    }
}
