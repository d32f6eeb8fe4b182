using System.Text;
using System.Text.Json;
using BadgeIssuer.Api.Features.Verify;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.Baking;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace BadgeIssuer.Api.Features.Credentials;

/// <summary>
/// Downloads for learners (public, by unguessable id): <c>GET /credentials/{id}</c> negotiates JSON-LD, VC-JWT, a baked
/// PNG, a baked SVG or the credential page (HTML, for browsers) from <c>Accept</c>; <c>{id}.json|.jwt|.png|.svg|.html</c>
/// ask for one explicitly. Images are the achievement's own PNG/SVG when it has one, else a generated badge, with the
/// credential baked in (OB 3.0 §5.3). A client that prefers <c>text/html</c> also gets its 404 as a page.
/// </summary>
internal static class CredentialsApi
{
    private enum Representation
    {
        Json,
        Jwt,
        Png,
        Svg,
        Html,
    }

    private const string HtmlContentType = "text/html; charset=utf-8";

    public static IEndpointRouteBuilder MapCredentialDownloads(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/credentials/{file}", Download)
            .WithTags("Credentials")
            .WithName("DownloadCredential")
            .WithSummary("Download an issued credential (public)")
            .WithDescription("By Accept: application/vc+ld+json, application/ld+json, application/json (Data Integrity JSON), application/vc+jwt, application/jwt (VC-JWT), image/png, image/svg+xml (baked badge), text/html (the credential page: the badge, what it is for, who issued it, the verdict of a verification run at request time, download and LinkedIn links). No Accept, */* and application/* give the JSON credential (the JWT if it was issued only as one). Or explicitly: {id}.json, {id}.jwt, {id}.png, {id}.svg, {id}.html. A client that prefers text/html gets a 404 as an HTML page, others a problem.")
            .Produces(StatusCodes.Status200OK)
            .WithRequestTimeout(VerifyTimeouts.Policy)
            .ProducesProblems(ProblemStatus.NotFound, ProblemStatus.NotAcceptable, ProblemStatus.GatewayTimeout)
            .AddOpenApiOperationTransformer(DescribeResponses);
        return routes;
    }

    internal static async Task<IResult> Download(
        string file, HttpRequest request, IBadgeStorage storage, PublicUrls urls, VerifierFactory verifiers, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        // Every answer here depends on Accept, the 404s included (a page for browsers, a problem for the rest).
        request.HttpContext.Response.Headers.Vary = "Accept";
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
                "html" => Representation.Html,
                _ => null,
            };
            if (explicitFormat is null)
            {
                return NotFound(request, null, ApiProblems.NotFound.Result("Downloads end in .json, .jwt, .png, .svg or .html."));
            }

            id = file[..dot];
        }

        CredentialRecord? credential = id.Length is > 0 and <= 128 ? await storage.Credentials.GetAsync(urls.Credential(id), cancellationToken) : null;
        if (credential is null)
        {
            return NotFound(request, explicitFormat, ApiProblems.CredentialNotFound.Result("No such credential."));
        }

        (Representation format, string contentType)? chosen = explicitFormat is { } f
            ? Available(credential, f) ? (f, DefaultContentType(f)) : null
            : Negotiate(request, credential.SignedJson is not null, credential.Jwt is not null);
        if (chosen is null)
        {
            return explicitFormat is null
                ? ApiProblems.NotAcceptable.Result("Available: " + string.Join(", ", AvailableTypes(credential)) + ".")
                : ApiProblems.NotFound.Result($"This credential was not issued as {explicitFormat}.");
        }

        (Representation format, string contentType) = chosen.Value;
        if (format == Representation.Html)
        {
            // The verdict is read now (signature, validity, status), with the verifier POST /credentials/verify uses.
            VerificationReport report = await verifiers.Create(null).VerifyAsync(
                Encoding.UTF8.GetBytes(credential.SignedJson ?? credential.Jwt!), cancellationToken);
            return new HtmlPageResult(StatusCodes.Status200OK, CredentialPage.Render(credential, id, report, timeProvider.GetUtcNow()));
        }

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
                string payload = credential.SignedJson ?? credential.Jwt!;
                if (Encoding.UTF8.GetByteCount(payload) > BakedBadge.MaxPayloadBytes)
                {
                    // A large CLR: too big for an image's text chunk (the baking bound), so only its JSON and JWT downloads.
                    return ApiProblems.NotAcceptable.Result(
                        $"This credential is too large to bake into an image (at most {BakedBadge.MaxPayloadBytes} bytes): download {id}.json or {id}.jwt.");
                }

                byte[] image = await BaseImageAsync(credential, png, storage, cancellationToken);
                byte[] baked = BakedBadge.Bake(image, payload, png ? BadgeImageFormat.Png : BadgeImageFormat.Svg);
                SetDisposition(response, true, baseName + (png ? ".png" : ".svg"));
                return TypedResults.Bytes(baked, contentType);
        }
    }

    // The handler writes its own bytes, so OpenAPI learns the representations (and the 404 page) here.
    private static Task DescribeResponses(OpenApiOperation operation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        OpenApiSchema credential = new() { Type = JsonSchemaType.Object, Description = "The OpenBadgeCredential with its Data Integrity proof." };
        OpenApiSchema jwt = new() { Type = JsonSchemaType.String, Description = "The compact VC-JWT." };
        OpenApiSchema image = new() { Type = JsonSchemaType.String, Format = "binary", Description = "The badge image with the credential baked in." };
        OpenApiSchema page = new() { Type = JsonSchemaType.String, Description = "The credential page: a server-rendered HTML document without scripts, under its own content security policy." };
        operation.Responses ??= [];
        operation.Responses["200"] = new OpenApiResponse
        {
            Description = "The credential in the negotiated (or named) representation.",
            Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
            {
                ["application/vc+ld+json"] = new() { Schema = credential },
                ["application/ld+json"] = new() { Schema = credential },
                ["application/json"] = new() { Schema = credential },
                ["application/vc+jwt"] = new() { Schema = jwt },
                ["application/jwt"] = new() { Schema = jwt },
                ["image/png"] = new() { Schema = image },
                ["image/svg+xml"] = new() { Schema = image },
                ["text/html"] = new() { Schema = page },
            },
        };
        if (operation.Responses.TryGetValue("404", out IOpenApiResponse? notFound) && notFound is OpenApiResponse response && response.Content is not null)
        {
            response.Content["text/html"] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A page saying that no credential has this address, for clients that prefer text/html." },
            };
        }

        return Task.CompletedTask;
    }

    /// <summary>A 404 as an HTML page when the client asked for the page (or prefers HTML), else <paramref name="problem"/>.</summary>
    private static IResult NotFound(HttpRequest request, Representation? explicitFormat, IResult problem)
    {
        bool html = explicitFormat is null
            ? Negotiate(request, hasJson: true, hasJwt: true) is (Representation.Html, _)
            : explicitFormat == Representation.Html;
        return html ? new HtmlPageResult(StatusCodes.Status404NotFound, CredentialPage.RenderNotFound()) : problem;
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
        Representation.Html => HtmlContentType,
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
        yield return "text/html";
    }

    // Highest q wins; ties keep the client's order. No Accept (or */*) gives the JSON-LD credential (or the JWT); a
    // browser names text/html before */* and gets the page.
    private static (Representation, string)? Negotiate(HttpRequest request, bool hasJson, bool hasJwt)
    {
        Representation fallback = hasJson ? Representation.Json : Representation.Jwt;
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
                "application/vc+ld+json" or "application/ld+json" or "application/json" when hasJson => (Representation.Json, type),
                "application/vc+jwt" or "application/jwt" when hasJwt => (Representation.Jwt, type),
                "image/png" => (Representation.Png, type),
                "image/svg+xml" => (Representation.Svg, type),
                "text/html" => (Representation.Html, HtmlContentType),
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
