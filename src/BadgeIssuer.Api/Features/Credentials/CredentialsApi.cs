using System.Text;
using System.Text.Json;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.Baking;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace BadgeIssuer.Api.Features.Credentials;

/// <summary>
/// Downloads for learners (public, by unguessable id): <c>GET /credentials/{id}</c> negotiates JSON-LD, VC-JWT, a baked
/// PNG or a baked SVG from <c>Accept</c>; <c>{id}.json|.jwt|.png|.svg</c> ask for one explicitly. Images are the
/// achievement's own PNG/SVG when it has one, else a generated badge, with the credential baked in (OB 3.0 §5.3).
/// </summary>
internal static class CredentialsApi
{
    private enum Representation
    {
        Json,
        Jwt,
        Png,
        Svg,
    }

    public static IEndpointRouteBuilder MapCredentialDownloads(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/credentials/{file}", Download)
            .WithTags("Credentials")
            .WithName("DownloadCredential")
            .WithSummary("Download an issued credential (public)")
            .WithDescription("By Accept: application/vc+ld+json, application/ld+json, application/json (Data Integrity JSON), application/vc+jwt, application/jwt (VC-JWT), image/png, image/svg+xml (baked badge). Or explicitly: {id}.json, {id}.jwt, {id}.png, {id}.svg.")
            .Produces(StatusCodes.Status200OK, contentType: "application/vc+ld+json", additionalContentTypes: ["application/ld+json", "application/json", "application/vc+jwt", "application/jwt", "image/png", "image/svg+xml"])
            .ProducesProblems(ProblemStatus.NotFound, ProblemStatus.NotAcceptable);
        return routes;
    }

    internal static async Task<IResult> Download(string file, HttpRequest request, IBadgeStorage storage, PublicUrls urls, CancellationToken cancellationToken)
    {
        string id = file;
        Representation? explicitFormat = null;
        int dot = file.LastIndexOf('.');
        if (dot > 0)
        {
            explicitFormat = file[(dot + 1)..] switch
            {
                "json" => Representation.Json,
                "jwt" => Representation.Jwt,
                "png" => Representation.Png,
                "svg" => Representation.Svg,
                _ => null,
            };
            if (explicitFormat is null)
            {
                return ApiProblems.NotFound.Result("Downloads end in .json, .jwt, .png or .svg.");
            }

            id = file[..dot];
        }

        CredentialRecord? credential = id.Length is > 0 and <= 128 ? await storage.Credentials.GetAsync(urls.Credential(id), cancellationToken) : null;
        if (credential is null)
        {
            return ApiProblems.CredentialNotFound.Result("No such credential.");
        }

        request.HttpContext.Response.Headers.Vary = "Accept";
        (Representation format, string contentType)? chosen = explicitFormat is { } f
            ? Available(credential, f) ? (f, DefaultContentType(f)) : null
            : Negotiate(request, credential);
        if (chosen is null)
        {
            return explicitFormat is null
                ? ApiProblems.NotAcceptable.Result("Available: " + string.Join(", ", AvailableTypes(credential)) + ".")
                : ApiProblems.NotFound.Result($"This credential was not issued as {explicitFormat}.");
        }

        (Representation format, string contentType) = chosen.Value;
        string baseName = "badge-" + id;
        HttpResponse response = request.HttpContext.Response;
        response.Headers.CacheControl = "private, max-age=300";
        switch (format)
        {
            case Representation.Json:
                SetDisposition(response, explicitFormat is not null, baseName + ".json");
                return TypedResults.Bytes(Encoding.UTF8.GetBytes(credential.SignedJson!), contentType);
            case Representation.Jwt:
                SetDisposition(response, explicitFormat is not null, baseName + ".jwt");
                return TypedResults.Bytes(Encoding.ASCII.GetBytes(credential.Jwt!), contentType);
            default:
                bool png = format == Representation.Png;
                byte[] image = await BaseImageAsync(credential, png, storage, cancellationToken);
                byte[] baked = BakedBadge.Bake(image, credential.SignedJson ?? credential.Jwt!, png ? BadgeImageFormat.Png : BadgeImageFormat.Svg);
                SetDisposition(response, true, baseName + (png ? ".png" : ".svg"));
                return TypedResults.Bytes(baked, contentType);
        }
    }

    private static void SetDisposition(HttpResponse response, bool attachment, string fileName)
    {
        if (attachment)
        {
            response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = fileName }.ToString();
        }
    }

    private static async Task<byte[]> BaseImageAsync(CredentialRecord credential, bool png, IBadgeStorage storage, CancellationToken cancellationToken)
    {
        string achievementName = "Achievement";
        string? achievementType = null;
        if (credential.AchievementId is not null)
        {
            (string MediaType, byte[] Bytes)? own = await storage.Achievements.GetImageAsync(credential.AchievementId, cancellationToken);
            if (own is { } image && string.Equals(image.MediaType, png ? "image/png" : "image/svg+xml", StringComparison.Ordinal))
            {
                return image.Bytes;
            }
        }

        // Names as signed into the credential, so the picture matches the badge.
        string issuerName = "Issuer";
        using (JsonDocument document = JsonDocument.Parse(credential.SignedJson ?? DecodeJwtPayload(credential.Jwt!)))
        {
            JsonElement root = document.RootElement;
            if (root.TryGetProperty("issuer", out JsonElement issuer) && issuer.ValueKind == JsonValueKind.Object
                && issuer.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String)
            {
                issuerName = name.GetString()!;
            }

            if (root.TryGetProperty("credentialSubject", out JsonElement subject) && subject.ValueKind == JsonValueKind.Object
                && subject.TryGetProperty("achievement", out JsonElement achievement) && achievement.ValueKind == JsonValueKind.Object)
            {
                if (achievement.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String)
                {
                    achievementName = n.GetString()!;
                }

                if (achievement.TryGetProperty("achievementType", out JsonElement t) && t.ValueKind == JsonValueKind.String)
                {
                    achievementType = t.GetString();
                }
            }
            else if (root.TryGetProperty("name", out JsonElement credentialName) && credentialName.ValueKind == JsonValueKind.String)
            {
                achievementName = credentialName.GetString()!;
            }
        }

        var content = new BadgeSvgContent(achievementName, issuerName, achievementType);
        return png ? BadgePngRenderer.Render(content) : BadgeSvgRenderer.Render(content);
    }

    private static string DecodeJwtPayload(string jwt)
    {
        string payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        return Encoding.UTF8.GetString(Convert.FromBase64String(payload));
    }

    private static bool Available(CredentialRecord credential, Representation format) => format switch
    {
        Representation.Json => credential.SignedJson is not null,
        Representation.Jwt => credential.Jwt is not null,
        _ => true,
    };

    private static string DefaultContentType(Representation format) => format switch
    {
        Representation.Json => "application/vc+ld+json",
        Representation.Jwt => "application/vc+jwt",
        Representation.Png => "image/png",
        _ => "image/svg+xml",
    };

    private static IEnumerable<string> AvailableTypes(CredentialRecord credential)
    {
        if (credential.SignedJson is not null)
        {
            yield return "application/vc+ld+json";
            yield return "application/ld+json";
            yield return "application/json";
        }

        if (credential.Jwt is not null)
        {
            yield return "application/vc+jwt";
            yield return "application/jwt";
        }

        yield return "image/png";
        yield return "image/svg+xml";
    }

    // Highest q wins; ties keep the client's order. No Accept (or */*) gives the JSON-LD credential (or the JWT).
    private static (Representation, string)? Negotiate(HttpRequest request, CredentialRecord credential)
    {
        Representation fallback = credential.SignedJson is not null ? Representation.Json : Representation.Jwt;
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out IList<MediaTypeHeaderValue>? accepts) || accepts.Count == 0)
        {
            return (fallback, DefaultContentType(fallback));
        }

        foreach (MediaTypeHeaderValue accept in accepts.OrderByDescending(a => a.Quality ?? 1))
        {
            if ((accept.Quality ?? 1) <= 0)
            {
                continue;
            }

            string type = (accept.MediaType.Value ?? string.Empty).ToLowerInvariant();
            (Representation, string)? match = type switch
            {
                "application/vc+ld+json" or "application/ld+json" or "application/json" when credential.SignedJson is not null => (Representation.Json, type),
                "application/vc+jwt" or "application/jwt" when credential.Jwt is not null => (Representation.Jwt, type),
                "image/png" => (Representation.Png, type),
                "image/svg+xml" => (Representation.Svg, type),
                "*/*" or "application/*" => (fallback, DefaultContentType(fallback)),
                "image/*" => (Representation.Png, "image/png"),
                _ => null,
            };
            if (match is not null)
            {
                return match;
            }
        }

        return null;
    }
}
