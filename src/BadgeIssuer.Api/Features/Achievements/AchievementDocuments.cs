using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core;
using BadgeIssuer.Core.Baking;
using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Api.Features.Achievements;

/// <summary>The result of turning a request body into a stored OB <c>Achievement</c> document.</summary>
internal sealed record PreparedAchievement(string Json, string? ImageMediaType, byte[]? ImageBytes);

/// <summary>
/// Builds the stored OB <c>Achievement</c> (JSON-LD, with <c>@context</c>) from a request body shaped as an
/// Achievement: assigns <c>id</c>, defaults <c>type</c> and <c>creator</c>, takes a PNG/SVG <c>data:</c> image out
/// of the document (served at <c>…/image</c> and baked into downloads), then validates the result with Core's
/// <see cref="AchievementValidator"/> (OB JSON Schema and JSON-LD safe mode).
/// </summary>
internal static class AchievementDocuments
{
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly RequestShape s_image = RequestShape.Object(("id", null), ("type", null), ("caption", null));
    private static readonly RequestShape s_alignment = RequestShape.ArrayOf(RequestShape.Object(
        ("type", null), ("targetCode", null), ("targetDescription", null), ("targetName", null), ("targetFramework", null), ("targetType", null), ("targetUrl", null)), orSingle: true);
    private static readonly RequestShape s_identifiers = RequestShape.ArrayOf(RequestShape.Object(("type", null), ("identifier", null), ("identifierType", null)), orSingle: true);

    /// <summary>
    /// The members an achievement body may have: the OB 3.0 <c>Achievement</c> properties and, nested, those of its
    /// Criteria, Image, Alignment, IdentifierEntry, Related, ResultDescription, RubricCriterionLevel and Profile
    /// (<c>creator</c>) classes, as the bundled OB JSON Schema lists them; endorsements are credentials and not looked
    /// into. The request fixes the JSON-LD context, so a member outside these would only land in the VC 2.0
    /// issuer-dependent vocabulary: it is far more likely a typo. <c>pathway</c> is ours, not an OB term: it is read by
    /// <see cref="Pathways"/> and kept out of the stored document.
    /// </summary>
    public static readonly RequestShape UpdateShape = RequestShape.Object(
        ("@context", null),
        ("id", null),
        ("type", null),
        ("alignment", s_alignment),
        ("achievementType", null),
        ("creator", RequestShape.Object(
            ("id", null), ("type", null), ("name", null), ("url", null), ("phone", null), ("description", null), ("endorsement", null),
            ("endorsementJwt", null), ("image", s_image), ("email", null), ("address", null), ("otherIdentifier", s_identifiers),
            ("official", null), ("parentOrg", null), ("familyName", null), ("givenName", null), ("additionalName", null),
            ("patronymicName", null), ("honorificPrefix", null), ("honorificSuffix", null), ("familyNamePrefix", null), ("dateOfBirth", null))),
        ("creditsAvailable", null),
        ("criteria", RequestShape.Object(("id", null), ("narrative", null))),
        ("description", null),
        ("endorsement", null),
        ("endorsementJwt", null),
        ("fieldOfStudy", null),
        ("humanCode", null),
        ("image", s_image),
        ("inLanguage", null),
        ("name", null),
        ("otherIdentifier", s_identifiers),
        ("related", RequestShape.ArrayOf(RequestShape.Object(("id", null), ("type", null), ("inLanguage", null), ("version", null)), orSingle: true)),
        ("resultDescription", RequestShape.ArrayOf(RequestShape.Object(
            ("id", null), ("type", null), ("alignment", s_alignment), ("allowedValue", null), ("name", null), ("requiredLevel", null),
            ("requiredValue", null), ("resultType", null), ("valueMax", null), ("valueMin", null),
            ("rubricCriterionLevel", RequestShape.ArrayOf(RequestShape.Object(
                ("id", null), ("type", null), ("alignment", s_alignment), ("description", null), ("level", null), ("name", null), ("points", null)), orSingle: true))), orSingle: true)),
        ("specialization", null),
        ("tag", null),
        ("version", null),
        // Not an OB term: the achievements this one is composed of, stored beside it (Pathways).
        ("pathway", Pathways.Shape));

    /// <summary>As <see cref="UpdateShape"/>, plus <c>issuerId</c> (whose achievement it is).</summary>
    public static readonly RequestShape CreateShape = UpdateShape.With(("issuerId", null));

    /// <summary>
    /// The stored document, or null with what is wrong in <paramref name="violations"/> (the achievement) or
    /// <paramref name="imageViolations"/> (the bytes of a <c>data:</c> image: encoding, format, PNG bounds, SVG allow-list).
    /// </summary>
    public static PreparedAchievement? Prepare(JsonElement body, string achievementUrl, IssuerSigning issuer, int maxImageBytes, List<InputViolation> violations, List<InputViolation> imageViolations)
    {
        string? imageMediaType = null;
        byte[]? imageBytes = null;
        if (body.TryGetProperty("id", out JsonElement givenId) && !(givenId.ValueKind == JsonValueKind.String && givenId.GetString() == achievementUrl))
        {
            violations.Add(new("/id", "The service assigns an achievement's id; leave it out (or send the achievement's own id when replacing it)."));
        }

        JsonElement image = default;
        bool hasImage = body.TryGetProperty("image", out image) && image.ValueKind != JsonValueKind.Null;
        string? imageId = null;
        if (hasImage)
        {
            imageId = image.ValueKind switch
            {
                JsonValueKind.String => image.GetString(),
                JsonValueKind.Object when image.TryGetProperty("id", out JsonElement id) && id.ValueKind == JsonValueKind.String => id.GetString(),
                _ => null,
            };
            if (imageId is null)
            {
                violations.Add(new("/image", "image must be a URL, a data: URI, or an object {id, type: \"Image\", caption?}."));
            }
            else if (imageId.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
            {
                string pointer = image.ValueKind == JsonValueKind.Object ? "/image/id" : "/image";
                if (!DataUri.TryDecode(imageId, maxImageBytes, out imageMediaType, out imageBytes, out string? error))
                {
                    imageViolations.Add(new(pointer, error));
                }
                else if (BakedBadge.DetectFormat(imageBytes) is not { } detected
                    || (detected == BadgeImageFormat.Png) != string.Equals(imageMediaType, "image/png", StringComparison.Ordinal))
                {
                    imageViolations.Add(new(pointer, "A data: image must be image/png or image/svg+xml and its bytes must be that format."));
                }
                else if (BadgeImages.Problem(imageBytes!, detected, maxImageBytes) is { } problem)
                {
                    imageViolations.Add(new(pointer, problem));
                }
            }
            else if (!RequestJson.IsAbsoluteUri(imageId) || !(imageId.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || imageId.StartsWith("http://", StringComparison.OrdinalIgnoreCase)))
            {
                violations.Add(new("/image", "image must be an absolute http(s) URL or a data: URI."));
            }
        }

        if (violations.Count > 0 || imageViolations.Count > 0)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            w.WriteStartObject();
            w.WriteStartArray("@context");
            w.WriteStringValue(ContextUrls.CredentialsV2);
            w.WriteStringValue(ContextUrls.OpenBadgesV3);
            w.WriteEndArray();
            w.WriteString("id", achievementUrl);
            if (!body.TryGetProperty("type", out _))
            {
                w.WriteStartArray("type");
                w.WriteStringValue("Achievement");
                w.WriteEndArray();
            }

            foreach (JsonProperty p in body.EnumerateObject())
            {
                if (p.NameEquals("@context") || p.NameEquals("id") || p.NameEquals("issuerId") || p.NameEquals("pathway"))
                {
                    continue;
                }

                if (p.NameEquals("image"))
                {
                    w.WriteStartObject("image");
                    w.WriteString("id", imageBytes is null ? imageId : achievementUrl + "/image");
                    w.WriteString("type", "Image");
                    if (p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("caption", out JsonElement caption))
                    {
                        w.WritePropertyName("caption");
                        caption.WriteTo(w);
                    }

                    w.WriteEndObject();
                    continue;
                }

                p.WriteTo(w);
            }

            if (!body.TryGetProperty("creator", out _))
            {
                w.WritePropertyName("creator");
                using JsonDocument creator = JsonDocument.Parse(issuer.EmbeddedProfile);
                creator.RootElement.WriteTo(w);
            }

            w.WriteEndObject();
        }

        string json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        using (JsonDocument written = JsonDocument.Parse(json))
        {
            foreach (AchievementViolation v in AchievementValidator.Validate(written.RootElement, issuer.EmbeddedProfile))
            {
                violations.Add(new(v.Path, v.Message));
            }
        }

        return violations.Count > 0 ? null : new PreparedAchievement(json, imageMediaType, imageBytes);
    }

    /// <summary>The achievement as embedded in a credential: the stored document without <c>@context</c>.</summary>
    public static byte[] Embedded(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return CredentialJson.WithoutContext(document.RootElement);
    }
}

/// <summary>RFC 2397 data: URIs for images.</summary>
internal static class DataUri
{
    public static bool TryDecode(string uri, int maxBytes, out string? mediaType, out byte[]? bytes, out string error)
    {
        mediaType = null;
        bytes = null;
        int comma = uri.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0)
        {
            error = "The data: URI has no ','.";
            return false;
        }

        string header = uri[5..comma];
        string[] parts = header.Split(';');
        mediaType = parts[0].Trim().ToLowerInvariant();
        bool base64 = parts.Skip(1).Any(p => p.Trim().Equals("base64", StringComparison.OrdinalIgnoreCase));
        if (mediaType is not ("image/png" or "image/svg+xml"))
        {
            error = "A data: image must be image/png or image/svg+xml.";
            return false;
        }

        string payload = uri[(comma + 1)..];
        if ((long)payload.Length * 3 / 4 > maxBytes)
        {
            error = $"The image is larger than {maxBytes} bytes.";
            return false;
        }

        try
        {
            bytes = base64 ? Convert.FromBase64String(payload) : Encoding.UTF8.GetBytes(Uri.UnescapeDataString(payload));
        }
        catch (FormatException)
        {
            error = "The data: URI's base64 is malformed.";
            return false;
        }

        if (bytes.Length > maxBytes)
        {
            error = $"The image is larger than {maxBytes} bytes.";
            return false;
        }

        error = string.Empty;
        return true;
    }
}

/// <summary>
/// Checks an achievement's own image before it is stored and served publicly: it is baked into every download of its
/// credentials, so it must be an image the baker accepts; a PNG must also pass <see cref="BakedBadge.CheckPngImage"/>
/// (dimensions, CRCs, bounded inflate of its image data and compressed text), and an SVG the static-SVG allow-list
/// (<see cref="SvgAllowList"/>).
/// </summary>
internal static class BadgeImages
{
    public static string? Problem(byte[] image, BadgeImageFormat format, int maxImageBytes)
    {
        try
        {
            BakedBadge.Bake(image, "{}", format);
        }
        catch (BakingException e)
        {
            return $"The image cannot carry a baked credential ({e.Reason}).";
        }

        if (format == BadgeImageFormat.Svg)
        {
            return SvgAllowList.Problem(image, maxImageBytes);
        }

        try
        {
            BakedBadge.CheckPngImage(image);
            return null;
        }
        catch (BakingException e)
        {
            return $"The PNG image is not accepted ({e.Reason}): {e.Message}";
        }
    }
}
