using System.Buffers;
using System.Text;
using System.Text.Json;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.Baking;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.JsonLd;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>
/// Public verification: <c>POST /credentials/verify</c> takes a VC-API request, a raw credential (JSON or VC-JWT)
/// or a baked PNG/SVG badge and answers 200 with the step-by-step report, verified or not. Only input that is not a
/// credential at all (wrong media type, unreadable body, too large) is a problem response.
/// </summary>
internal static class VerifyApi
{
    private const int MaxRequestDepth = 64;

    private static readonly SearchValues<char> s_jwsChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static IServiceCollection AddVerify(this IServiceCollection services)
    {
        services.AddOptions<VerifyOptions>().BindConfiguration(VerifyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<VerifyOptions>, VerifyOptionsValidator>();
        // Hosted issuers from the database; any other DID or controller through RemoteResolution (allow-listed hosts only).
        services.AddSingleton(sp =>
        {
            RemoteResolution remote = sp.GetRequiredService<RemoteResolution>();
            return new HostedIssuerResolver(
                sp.GetRequiredService<IBadgeStorage>(), sp.GetRequiredService<IssuerService>(), sp.GetRequiredService<PublicUrls>(), sp.GetRequiredService<TimeProvider>(), remote, remote);
        });
        services.AddSingleton<LocalStatusListSource>();
        services.AddSingleton<LocalStatusRecordSource>();
        services.AddSingleton<RelatedResourceSource>();
        services.AddSingleton<VerifierFactory>();
        services.AddRemoteResolution();
        services.AddVerifyTimeouts();
        return services;
    }

    public static IEndpointRouteBuilder MapVerify(this IEndpointRouteBuilder routes)
    {
        RouteGroupBuilder group = routes.MapGroup("/credentials").WithTags("Verify");

        group.MapPost("/verify", VerifyCredential)
            .WithName("VerifyCredential")
            .WithSummary("Verify an Open Badges 3.0 credential")
            .WithDescription(
                "Accepts a VC-API request (application/json), a credential (application/vc+ld+json, application/ld+json, or "
                + "application/json when the body is the credential itself: a JSON object with @context and a type that includes VerifiableCredential), "
                + "a compact VC-JWT (application/vc+jwt, application/jwt, text/plain), a baked badge (image/png, image/svg+xml) "
                + "or a form upload (multipart/form-data with one file: PNG, SVG, JSON or JWT). "
                + "Answers with the report of every verification step: 200 when the credential verifies, 422 when it was read "
                + "but does not verify, 400 when no credential could be read from the input (VC-API). options.recipient (or the "
                + "form field recipient) checks the subject; options.trustVerificationMethodFragment (or the form field or query "
                + "parameter of that name) overrides the server's policy for keys named only by a Multikey fragment.")
            .WithRequestTimeout(VerifyTimeouts.Policy)
            .ProducesProblems(ProblemStatus.BadRequest, ProblemStatus.PayloadTooLarge, ProblemStatus.UnsupportedMediaType, ProblemStatus.GatewayTimeout)
            .AddOpenApiOperationTransformer(DescribeRequestBodyAsync);

        return routes;
    }

    internal static async Task<Results<VerificationReportResult, ProblemHttpResult>> VerifyCredential(
        HttpRequest request,
        [AsParameters] VerifyServices services,
        CancellationToken cancellationToken)
    {
        if (Classify(request.ContentType) is not BodyKind kind)
        {
            return ApiProblems.UnsupportedMediaType.Result(
                request.ContentType is null
                    ? "Send a Content-Type: " + string.Join(", ", s_mediaTypes.Keys) + "."
                    : "Content-Type '" + request.ContentType + "' is not accepted; use one of " + string.Join(", ", s_mediaTypes.Keys) + ".");
        }

        VerifyOptions options = services.Options.Value;
        int maxBytes = kind switch
        {
            BodyKind.Image => options.MaxImageBytes,
            BodyKind.Upload => BadgeUpload.MaxBodyBytes(options),
            _ => options.MaxJsonBytes,
        };
        byte[]? body = await RequestBody.ReadBoundedAsync(request, maxBytes, cancellationToken);
        if (body is null)
        {
            return ApiProblems.BodyTooLarge.Result($"The body exceeds {maxBytes} bytes, the limit for {request.ContentType}.");
        }

        if (body.Length == 0)
        {
            return ApiProblems.MalformedBody.Result("The request body is empty.");
        }

        if (TrustOption.FromQuery(request, out bool? trustFromQuery) is ProblemHttpResult badQuery)
        {
            return badQuery;
        }

        string? recipient = null;
        bool? trustFromBody = null;
        byte[] credential;
        switch (kind)
        {
            case BodyKind.VcApi:
                ProblemHttpResult? problem = ReadVcApiRequest(body, out credential, out recipient, out trustFromBody);
                if (problem is not null)
                {
                    return problem;
                }

                break;
            case BodyKind.Credential:
                if (!IsJsonObject(body, out string? error))
                {
                    return ApiProblems.MalformedBody.Result("The body is not a JSON object: " + error);
                }

                credential = body;
                break;
            case BodyKind.Jwt:
                if (!TryReadCompactJws(body, out string? jws))
                {
                    return ApiProblems.MalformedBody.Result("The body is not a compact JWS (three base64url segments separated by '.').");
                }

                credential = Encoding.UTF8.GetBytes(jws);
                break;
            case BodyKind.Upload:
                BadgeUpload upload = await BadgeUpload.ReadAsync(body, request.ContentType!, options, cancellationToken);
                if (upload.Problem is not null)
                {
                    return upload.Problem;
                }

                credential = upload.Credential!;
                recipient = upload.Recipient;
                trustFromBody = upload.TrustVerificationMethodFragment;
                break;
            default:
                BadgeImageFormat expected = MediaTypeHeaderValue.Parse(request.ContentType).MediaType.Equals("image/png", StringComparison.OrdinalIgnoreCase)
                    ? BadgeImageFormat.Png
                    : BadgeImageFormat.Svg;
                if (BakedBadge.DetectFormat(body) != expected)
                {
                    return ApiProblems.MalformedBody.Result(expected == BadgeImageFormat.Png ? "The body is not a PNG image." : "The body is not an SVG image.");
                }

                credential = body;
                break;
        }

        if (TrustOption.Combine(trustFromQuery, trustFromBody, out bool? trust) is ProblemHttpResult conflict)
        {
            return conflict;
        }

        VerificationReport report = await services.Verifiers.Create(recipient, trust).VerifyAsync(credential, cancellationToken);
        return new VerificationReportResult(report);
    }

    private static readonly Dictionary<string, BodyKind> s_mediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["application/json"] = BodyKind.VcApi,
        ["application/vc+ld+json"] = BodyKind.Credential,
        ["application/ld+json"] = BodyKind.Credential,
        ["application/vc+jwt"] = BodyKind.Jwt,
        ["application/jwt"] = BodyKind.Jwt,
        ["text/plain"] = BodyKind.Jwt,
        ["image/png"] = BodyKind.Image,
        ["image/svg+xml"] = BodyKind.Image,
        ["multipart/form-data"] = BodyKind.Upload,
    };

    private static BodyKind? Classify(string? contentType)
        => MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? parsed)
            && parsed.MediaType.Value is string mediaType
            && s_mediaTypes.TryGetValue(mediaType, out BodyKind kind)
                ? kind
                : null;

    // VC-API: {"verifiableCredential": <object | compact JWT>, "options"?: {"recipient"?: string, "trustVerificationMethodFragment"?: bool}}.
    private static ProblemHttpResult? ReadVcApiRequest(byte[] body, out byte[] credential, out string? recipient, out bool? trust)
    {
        credential = [];
        recipient = null;
        trust = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxRequestDepth });
        }
        catch (JsonException ex)
        {
            return ApiProblems.MalformedBody.Result("The body is not valid JSON: " + ex.Message);
        }

        using (document)
        {
            JsonElement root = document.RootElement;

            // A credential posted as application/json without the VC-API wrapper: recognised by its @context and type,
            // and verified from the bytes exactly as sent (as with application/vc+ld+json).
            if (IsBareDocument(root, "verifiableCredential", "VerifiableCredential", "EnvelopedVerifiableCredential"))
            {
                if (EnvelopedCredential.IsEnveloped(root))
                {
                    return EnvelopedCredential.Open(root, MaxRequestDepth, out credential);
                }

                credential = body;
                return null;
            }

            if (!WrapperIsReadable(root, "verifiableCredential"))
            {
                return ApiProblems.MalformedBody.Result("The body has a string that is not valid UTF-8 or holds an unpaired surrogate escape.");
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                return ApiProblems.UnsupportedRequest.Result("A VC-API verify request is a JSON object with a 'verifiableCredential' member. " + WrapperHint);
            }

            if (DuplicateWrapperMember(root) is ProblemHttpResult duplicate)
            {
                return duplicate;
            }

            if (!root.TryGetProperty("verifiableCredential", out JsonElement vc))
            {
                return ApiProblems.UnsupportedRequest.Result("The request has no 'verifiableCredential' member and is not a credential (no @context with a type that includes VerifiableCredential). " + WrapperHint);
            }

            switch (vc.ValueKind)
            {
                case JsonValueKind.Object when EnvelopedCredential.IsEnveloped(vc):
                    ProblemHttpResult? envelope = EnvelopedCredential.Open(vc, MaxRequestDepth, out credential);
                    if (envelope is not null)
                    {
                        return envelope;
                    }

                    break;
                case JsonValueKind.Object:
                    // The credential's own bytes, exactly as sent: a Data Integrity proof covers them.
                    credential = Encoding.UTF8.GetBytes(vc.GetRawText());
                    break;
                case JsonValueKind.String when IsCompactJws(vc.GetString().AsSpan().Trim()):
                    credential = Encoding.UTF8.GetBytes(vc.GetString()!.Trim());
                    break;
                default:
                    return ApiProblems.UnsupportedRequest.Result("'verifiableCredential' must be a credential object or a compact VC-JWT string.");
            }

            if (root.TryGetProperty("options", out JsonElement options) && options.ValueKind != JsonValueKind.Null)
            {
                if (options.ValueKind != JsonValueKind.Object)
                {
                    return ApiProblems.UnsupportedRequest.Result("'options' must be an object.");
                }

                if (options.TryGetProperty("recipient", out JsonElement value) && value.ValueKind != JsonValueKind.Null)
                {
                    if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
                    {
                        return ApiProblems.UnsupportedRequest.Result("'options.recipient' must be a non-empty string (an email address or identifier).");
                    }

                    recipient = value.GetString();
                }

                if (TrustOption.FromOptions(options, out trust) is ProblemHttpResult badTrust)
                {
                    return badTrust;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A 400 when the VC-API wrapper or its <c>options</c> repeats a member: parsers disagree on which one wins, and the
    /// credential verified (or the option applied) must be the one the caller meant. The credential itself is judged by
    /// the verifier's parse step, from its own bytes.
    /// </summary>
    internal static ProblemHttpResult? DuplicateWrapperMember(JsonElement root)
    {
        if (FirstDuplicate(root) is string name)
        {
            return ApiProblems.MalformedBody.Result($"The request repeats the member '{name}'; send each member once.");
        }

        if (root.TryGetProperty("options", out JsonElement options) && options.ValueKind == JsonValueKind.Object && FirstDuplicate(options) is string option)
        {
            return ApiProblems.MalformedBody.Result($"'options' repeats the member '{option}'; send each member once.");
        }

        return null;

        static string? FirstDuplicate(JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty member in value.EnumerateObject())
            {
                if (!seen.Add(member.Name))
                {
                    return member.Name;
                }
            }

            return null;
        }
    }

    private const string WrapperHint = "Send {\"verifiableCredential\": <the credential object or VC-JWT string>, \"options\": {…}} "
        + "or the credential itself (a JSON object with @context and a type that includes VerifiableCredential); "
        + "a credential can also be sent as application/vc+ld+json, a VC-JWT as application/vc+jwt.";

    /// <summary>
    /// A document posted without the VC-API wrapper: a JSON object with no <paramref name="wrapperMember"/>, an
    /// <c>@context</c>, and a <c>type</c> (string or array) that includes one of <paramref name="types"/>. Reads no string
    /// (the values are compared as UTF-8), so an unreadable string is left to the verifier's parse step.
    /// </summary>
    internal static bool IsBareDocument(JsonElement root, string wrapperMember, params ReadOnlySpan<string> types)
    {
        try
        {
            return IsBareDocumentCore(root, wrapperMember, types);
        }
        catch (InvalidOperationException)
        {
            // A member name or value with an unpaired surrogate escape cannot be compared: not a document we recognise
            // (the caller then checks that the wrapper is readable, and answers 400 if it is not).
            return false;
        }
    }

    private static bool IsBareDocumentCore(JsonElement root, string wrapperMember, ReadOnlySpan<string> types)
    {
        if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty(wrapperMember, out _)
            || !root.TryGetProperty("@context", out JsonElement context) || context.ValueKind is not (JsonValueKind.Array or JsonValueKind.String or JsonValueKind.Object)
            || !root.TryGetProperty("type", out JsonElement type))
        {
            return false;
        }

        foreach (string name in types)
        {
            if (type.ValueKind == JsonValueKind.String ? type.ValueEquals(name) : type.ValueKind == JsonValueKind.Array && type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.ValueEquals(name)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The request's own strings (member names, options, a JWT string) are readable. The credential or presentation
    /// object inside is left to the verifier, which reports an unreadable string as a failed parse step.
    /// </summary>
    internal static bool WrapperIsReadable(JsonElement root, string embedded)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return JsonStrings.AreReadable(root);
        }

        try
        {
            foreach (JsonProperty property in root.EnumerateObject())
            {
                string name = property.Name; // throws on an unreadable member name
                bool isEmbedded = string.Equals(name, embedded, StringComparison.Ordinal) && property.Value.ValueKind == JsonValueKind.Object;
                if (!isEmbedded && !JsonStrings.AreReadable(property.Value))
                {
                    return false;
                }
            }
        }
        catch (InvalidOperationException)
        {
            return false; // an unreadable member name
        }

        return true;
    }

    private static bool IsJsonObject(byte[] body, out string? error)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxRequestDepth });
            error = document.RootElement.ValueKind == JsonValueKind.Object ? null : "the top-level value is " + document.RootElement.ValueKind + ".";
            return error is null;
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    private static bool TryReadCompactJws(byte[] body, out string jws)
    {
        try
        {
            jws = s_strictUtf8.GetString(body).Trim();
        }
        catch (DecoderFallbackException)
        {
            jws = string.Empty;
            return false;
        }

        return IsCompactJws(jws);
    }

    // Three base64url segments separated by two dots; header and signature not empty (as Core's baking check).
    private static bool IsCompactJws(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.ContainsAnyExcept(s_jwsChars) || value.Count('.') != 2)
        {
            return false;
        }

        return value.IndexOf('.') > 0 && value.LastIndexOf('.') < value.Length - 1;
    }

    // The body is read by hand (one endpoint, eight media types), so OpenAPI learns its shapes here.
    private static async Task DescribeRequestBodyAsync(OpenApiOperation operation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        OpenApiSchema request = await context.GetOrCreateSchemaAsync(typeof(VerifyCredentialRequest), null, cancellationToken);
        OpenApiSchema credential = new() { Type = JsonSchemaType.Object, Description = "An OpenBadgeCredential secured with a Data Integrity proof." };
        OpenApiSchema jwt = new() { Type = JsonSchemaType.String, Description = "A compact VC-JWT." };
        OpenApiSchema image = new() { Type = JsonSchemaType.String, Format = "binary", Description = "A baked badge image." };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
            {
                ["application/json"] = new() { Schema = request },
                ["application/vc+ld+json"] = new() { Schema = credential },
                ["application/ld+json"] = new() { Schema = credential },
                ["application/vc+jwt"] = new() { Schema = jwt },
                ["application/jwt"] = new() { Schema = jwt },
                ["text/plain"] = new() { Schema = jwt },
                ["image/png"] = new() { Schema = image },
                ["image/svg+xml"] = new() { Schema = image },
                ["multipart/form-data"] = new() { Schema = BadgeUploadSchema() },
            },
        };
    }

    private static OpenApiSchema BadgeUploadSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string>(StringComparer.Ordinal) { "file" },
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "Exactly one file: a baked PNG or SVG, credential JSON or a compact VC-JWT (any field name)." },
            ["recipient"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Optional email address or identifier the credential subject must match." },
            [TrustOption.Name] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Optional 'true' or 'false': this request's policy for keys named only by a Multikey fragment." },
        },
        Description = "A form with one badge file.",
    };

    private enum BodyKind
    {
        VcApi,
        Credential,
        Jwt,
        Image,
        Upload,
    }
}

/// <summary>What the verify handler needs from DI.</summary>
internal sealed record VerifyServices(IOptions<VerifyOptions> Options, VerifierFactory Verifiers);

/// <summary>
/// Builds the one shared <see cref="CredentialVerifier"/> from configuration and the DI clock (its status-list cache
/// is shared too); a request with a recipient or its own trust policy gets a cheap per-request view of it.
/// </summary>
internal sealed class VerifierFactory
{
    private readonly CredentialVerifier _default;

    public VerifierFactory(TimeProvider timeProvider, IOptions<VerifyOptions> options, HostedIssuerResolver hostedIssuers, LocalStatusListSource statusLists, LocalStatusRecordSource statusRecords, RelatedResourceSource relatedResources)
    {
        VerifyOptions o = options.Value;
        KnownIssuers? known = string.IsNullOrWhiteSpace(o.KnownIssuersFile)
            ? null
            : KnownIssuers.Load(VerifyOptionsValidator.ResolvePath(o.KnownIssuersFile));
        _default = new CredentialVerifier(new CredentialVerifierOptions
        {
            TimeProvider = timeProvider,
            ClockSkew = TimeSpan.FromSeconds(o.ClockSkewSeconds),
            MaxInputBytes = o.MaxImageBytes,
            MaxCredentialBytes = o.MaxJsonBytes,

            // Issuers hosted here first, then the self-certifying methods; fragment-derived keys only as an unauthenticated
            // last resort (the verifier asks the known-issuers list before all of them).
            Resolver = new CompositeVerificationMethodResolver([hostedIssuers, DidKeyResolver.Instance, DidJwkResolver.Instance, UnverifiedFragmentKeyResolver.Instance]),
            KnownIssuers = known,
            FindHostedIssuer = hostedIssuers.FindAsync,

            // Not hosted, but its DID document was fetched from an allow-listed host: its keys are known too.
            IsHostedIssuer = async (issuer, cancellationToken) => (await hostedIssuers.ResolveDidAsync(issuer, cancellationToken)).Succeeded,
            TrustVerificationMethodFragment = o.TrustVerificationMethodFragment,
            MaxEndorsementDepth = o.MaxEndorsementDepth,
            MaxEndorsements = o.MaxEndorsements,
            MaxEmbeddedCredentials = o.MaxEmbeddedCredentials,
            Cryptosuites = o.CryptosuiteSet(),
            StatusLists = statusLists,
            StatusRecords = statusRecords,
            RelatedResources = relatedResources,
            StatusRetrievalHint = "lists this service does not publish are fetched only when Verify:Remote:Mode allows it (off by default; allowlist with Verify:Remote:AllowedHosts, or public); if the host is allowed, the service log says why the fetch failed",
            KeyResolutionHint = "keys of issuers not hosted here are fetched only when Verify:Remote:Mode allows it (off by default; allowlist with Verify:Remote:AllowedHosts, or public), or listed in Verify:KnownIssuersFile",
            UnauthenticatedListHint = "name the issuer in Verify:KnownIssuersFile, or let its did:web or key document be fetched (Verify:Remote:Mode), or accept such keys (trustVerificationMethodFragment)",
        });
    }

    /// <summary>The shared verifier, or a per-request view with a recipient check and/or its own fragment-key trust policy.</summary>
    public CredentialVerifier Create(string? expectedRecipient, bool? trustVerificationMethodFragment = null)
        => expectedRecipient is null && trustVerificationMethodFragment is null
            ? _default
            : _default.ForRequest(expectedRecipient, trustVerificationMethodFragment);
}
