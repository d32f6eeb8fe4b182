using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.JsonLd;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>
/// Public presentation verification: <c>POST /presentations/verify</c> takes a VC-API request
/// <c>{verifiablePresentation, options: {challenge?, domain?}}</c> and answers 200 with the report when the presentation
/// and every credential in it verify, 422 with the same report when not. Only input that is not a request at all is a
/// problem response.
/// </summary>
internal static class PresentationsApi
{
    private const int MaxRequestDepth = 64;
    private const int MaxOptionLength = 1024;

    public static IServiceCollection AddPresentations(this IServiceCollection services)
    {
        services.AddSingleton<PresentationVerifiers>();
        return services;
    }

    public static IEndpointRouteBuilder MapPresentations(this IEndpointRouteBuilder routes)
    {
        RouteGroupBuilder group = routes.MapGroup("/presentations").WithTags("Verify");

        group.MapPost("/verify", VerifyPresentation)
            .WithName("VerifyPresentation")
            .WithSummary("Verify a Verifiable Presentation and every credential in it")
            .WithDescription(
                "Accepts a VC-API request (application/json) whose verifiablePresentation is a JSON-LD presentation secured with "
                + "a Data Integrity proof (eddsa-rdfc-2022, proofPurpose authentication), an EnvelopedVerifiablePresentation or a "
                + "compact VP-JWT, or the JSON-LD presentation itself (a JSON object with @context and a type that includes "
                + "VerifiablePresentation; no options then). options.challenge and options.domain must match the proof (VP-JWT: nonce and aud). "
                + "Answers 200 when everything verifies, 422 with the same report otherwise.")
            .AcceptsJson<VerifyPresentationRequest>()
            .ProducesProblems(ProblemStatus.BadRequest, ProblemStatus.PayloadTooLarge, ProblemStatus.UnsupportedMediaType, ProblemStatus.GatewayTimeout)
            .WithRequestTimeout(VerifyTimeouts.Policy);

        return routes;
    }

    internal static async Task<Results<PresentationReportResult, ProblemHttpResult>> VerifyPresentation(
        HttpRequest request,
        [AsParameters] PresentationServices services,
        CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? mediaType)
            || !mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return ApiProblems.UnsupportedMediaType.Result("Send the VC-API request as Content-Type: application/json.");
        }

        int maxBytes = services.Options.Value.MaxJsonBytes;
        byte[]? body = await RequestBody.ReadBoundedAsync(request, maxBytes, cancellationToken);
        if (body is null)
        {
            return ApiProblems.BodyTooLarge.Result($"The body exceeds {maxBytes} bytes.");
        }

        if (body.Length == 0)
        {
            return ApiProblems.MalformedBody.Result("The request body is empty.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxRequestDepth });
        }
        catch (JsonException ex)
        {
            return ApiProblems.MalformedBody.Result("The body is not valid JSON: " + ex.Message);
        }

        byte[] presentation;
        string? challenge;
        string? domain;
        bool? trust;
        using (document)
        {
            if (!VerifyApi.IsBareDocument(document.RootElement, "verifiablePresentation", "VerifiablePresentation", "EnvelopedVerifiablePresentation")
                && !VerifyApi.WrapperIsReadable(document.RootElement, "verifiablePresentation"))
            {
                return ApiProblems.MalformedBody.Result("The body has a string that is not valid UTF-8 or holds an unpaired surrogate escape.");
            }

            ProblemHttpResult? problem = ReadRequest(document.RootElement, out presentation, out challenge, out domain, out trust);
            if (problem is not null)
            {
                return problem;
            }
        }

        if (TrustOption.FromQuery(request, out bool? trustFromQuery) is ProblemHttpResult badQuery)
        {
            return badQuery;
        }

        if (TrustOption.Combine(trustFromQuery, trust, out trust) is ProblemHttpResult conflict)
        {
            return conflict;
        }

        PresentationVerificationReport report = await services.Presentations.For(trust).VerifyAsync(presentation, challenge, domain, cancellationToken);
        return new PresentationReportResult(report);
    }

    private const string WrapperHint = "Send {\"verifiablePresentation\": <the presentation object or VP-JWT string>, \"options\": {\"challenge\"?, \"domain\"?}} "
        + "or the presentation itself (a JSON object with @context and a type that includes VerifiablePresentation).";

    // {"verifiablePresentation": <object | compact JWS>, "options"?: {"challenge"?: string, "domain"?: string, "trustVerificationMethodFragment"?: bool}}.
    private static ProblemHttpResult? ReadRequest(JsonElement root, out byte[] presentation, out string? challenge, out string? domain, out bool? trust)
    {
        presentation = [];
        challenge = null;
        domain = null;
        trust = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ApiProblems.UnsupportedRequest.Result("A VC-API verify-presentation request is a JSON object with a 'verifiablePresentation' member. " + WrapperHint);
        }

        // A presentation posted without the VC-API wrapper: recognised by its @context and type (no options then).
        if (VerifyApi.IsBareDocument(root, "verifiablePresentation", "VerifiablePresentation", "EnvelopedVerifiablePresentation"))
        {
            presentation = JsonMarshal.GetRawUtf8Value(root).ToArray();
            return null;
        }

        if (VerifyApi.DuplicateWrapperMember(root) is ProblemHttpResult duplicate)
        {
            return duplicate;
        }

        if (!root.TryGetProperty("verifiablePresentation", out JsonElement vp))
        {
            return ApiProblems.UnsupportedRequest.Result("The request has no 'verifiablePresentation' member and is not a presentation (no @context with a type that includes VerifiablePresentation). " + WrapperHint);
        }

        switch (vp.ValueKind)
        {
            case JsonValueKind.Object:
                // The presentation's own bytes, exactly as sent: its Data Integrity proof covers them.
                presentation = JsonMarshal.GetRawUtf8Value(vp).ToArray();
                break;
            case JsonValueKind.String when vp.GetString()!.Trim().Split('.').Length == 3:
                presentation = Encoding.UTF8.GetBytes(vp.GetString()!.Trim());
                break;
            default:
                return ApiProblems.UnsupportedRequest.Result("'verifiablePresentation' must be a presentation object or a compact VP-JWT string.");
        }

        if (!root.TryGetProperty("options", out JsonElement options) || options.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (options.ValueKind != JsonValueKind.Object)
        {
            return ApiProblems.UnsupportedRequest.Result("'options' must be an object.");
        }

        return ReadOption(options, "challenge", out challenge) ?? ReadOption(options, "domain", out domain) ?? TrustOption.FromOptions(options, out trust);
    }

    private static ProblemHttpResult? ReadOption(JsonElement options, string name, out string? value)
    {
        value = null;
        if (!options.TryGetProperty(name, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        value = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        return string.IsNullOrEmpty(value) || value.Length > MaxOptionLength
            ? ApiProblems.UnsupportedRequest.Result($"'options.{name}' must be a non-empty string of at most {MaxOptionLength} characters.")
            : null;
    }
}

/// <summary>What the verify-presentation handler needs from DI.</summary>
internal sealed record PresentationServices(IOptions<VerifyOptions> Options, PresentationVerifiers Presentations);

/// <summary>
/// The shared <see cref="PresentationVerifier"/>: credentials through <see cref="VerifierFactory"/>; the holder's key
/// through the issuers hosted here (and allow-listed remote documents), did:key and did:jwk. Keys taken from a URL
/// fragment are not offered for holders: they authenticate no one.
/// </summary>
internal sealed class PresentationVerifiers(VerifierFactory credentials, HostedIssuerResolver hosted, TimeProvider timeProvider, IOptions<VerifyOptions> options)
{
    private readonly PresentationVerifierOptions _options = new()
    {
        Resolver = new CompositeVerificationMethodResolver([hosted, DidKeyResolver.Instance, DidJwkResolver.Instance]),
        TimeProvider = timeProvider,
        ClockSkew = TimeSpan.FromSeconds(options.Value.ClockSkewSeconds),
        MaxInputBytes = options.Value.MaxJsonBytes,
    };

    private PresentationVerifier? _shared;

    /// <summary>The shared verifier (server policy).</summary>
    public PresentationVerifier Verifier => _shared ??= new(credentials.Create(null), _options);

    /// <summary>The shared verifier, or one whose credentials follow this request's fragment-key trust policy.</summary>
    public PresentationVerifier For(bool? trustVerificationMethodFragment)
        => trustVerificationMethodFragment is null ? Verifier : new(credentials.Create(null, trustVerificationMethodFragment), _options);
}
