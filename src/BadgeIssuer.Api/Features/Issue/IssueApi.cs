using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Issue;

/// <summary>
/// <c>POST /credentials/issue</c> (W3C VC-API): the caller sends an unsigned credential whose issuer is one it may
/// issue for; the service adds status entries, checks the VC Data Model rules of the credential's version and the rules
/// of the profile its type claims (OB, endorsement, CLR or none) and JSON-LD safe mode, signs, stores and answers 201
/// with the secured credential (a single proof as an object, or in a one-element array for OB and CLR credentials).
/// </summary>
internal static class IssueApi
{
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IServiceCollection AddIssue(this IServiceCollection services)
    {
        services.AddSingleton<StatusIndexPool>();
        services.AddSingleton<IssuanceService>();
        services.AddSingleton<PathwayAwarder>();
        services.AddSingleton<PathwayAwardSeam>();
        return services;
    }

    public static IEndpointRouteBuilder MapIssue(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/credentials/issue", IssueCredential)
            .WithTags("Issue")
            .WithName("IssueCredential")
            .WithSummary("Issue a credential (W3C VC-API)")
            .WithDescription("Checks the credential against the VC Data Model rules of its version (2.0 or 1.1) and the rules of the profile its type claims (Open Badges 3.0, EndorsementCredential, CLR 2.0, or none), then JSON-LD safe mode, and refuses it with every violation and its JSON pointer (422 invalid-credential, errors[]); otherwise signs it with the issuer's keys (Data Integrity with the cryptosuite of the issuer's key: eddsa-rdfc-2022 for Ed25519, ecdsa-rdfc-2019 for P-256; a single proof written as an object, or as a one-element array for Open Badges and CLR credentials as their JSON Schemas want; or VC-JWT), adds the requested status entries and stores it. Honours the Idempotency-Key header.")
            .AcceptsJson<IssueCredentialRequest>()
            .AcceptsIdempotencyKey("1 to 255 visible ASCII characters. A retry with the same key returns the credential the first request issued (200) instead of issuing another.")
            .RequireAuthorization(ApiScopes.Issue)
            .ProducesProblems(
                ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound, ProblemStatus.Conflict,
                ProblemStatus.PayloadTooLarge, ProblemStatus.UnsupportedMediaType, ProblemStatus.UnprocessableEntity);
        return routes;
    }

    internal static async Task<Results<CreatedJsonResult<IssueCredentialResponse>, RawJsonResult<IssueCredentialResponse>, ProblemHttpResult>> IssueCredential(
        HttpRequest request,
        IssuerService issuers,
        IssuanceService issuance,
        PublicUrls urls,
        IOptions<BadgeIssuerOptions> options,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        if (!RequestJson.TryReadIdempotencyKey(request, out string? idempotencyKey))
        {
            return ApiProblems.IdempotencyKeyInvalid.Result("Idempotency-Key must be one header of 1 to 255 visible ASCII characters.");
        }

        (JsonDocument? document, ProblemHttpResult? problem) = await RequestJson.ReadObjectAsync(request, options.Value.MaxRequestBytes, RequestShape.Of<IssueCredentialRequest>(), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            JsonElement root = document!.RootElement;
            var violations = new List<InputViolation>();
            if (!root.TryGetProperty("credential", out JsonElement credential) || credential.ValueKind != JsonValueKind.Object)
            {
                return RequestJson.Violations(ApiProblems.InvalidRequest, "The request needs a 'credential' object.", [new("/credential", "required: an unsigned credential object")]);
            }

            SecuringFormat format = SecuringFormat.DataIntegrity;
            string? alg = null;
            IReadOnlyList<string> purposes = [];
            if (root.TryGetProperty("options", out JsonElement o) && o.ValueKind != JsonValueKind.Null)
            {
                if (o.ValueKind != JsonValueKind.Object)
                {
                    return RequestJson.Violations(ApiProblems.InvalidRequest, "'options' must be an object.", [new("/options", "must be an object")]);
                }

                format = ReadFormat(RequestJson.OptionalString(o, "format", "/options", violations), "/options/format", violations);
                alg = RequestJson.OptionalString(o, "alg", "/options", violations);
                if (alg is not (null or "RS256" or "EdDSA" or "ES256"))
                {
                    violations.Add(new("/options/alg", "alg must be RS256, EdDSA or ES256."));
                }

                purposes = ReadPurposes(o, violations);
            }

            // Names, descriptions, narratives and URLs anywhere in the credential within the documented limits.
            TextLimits.Check(credential, "/credential", violations);
            CheckCredentialShape(credential, purposes, violations, out string? issuerId);
            if (violations.Count > 0)
            {
                AddProfileViolations(credential, format, timeProvider.GetUtcNow(), violations);
                return RequestJson.Violations(ApiProblems.InvalidRequest, "The issue request is not valid.", violations);
            }

            Caller caller = Caller.From(request.HttpContext.User);
            IssuerSigning? issuer = caller.CanActFor(issuerId!) ? await issuers.GetSigningAsync(issuerId!, cancellationToken) : null;
            if (issuer is null)
            {
                return ApiProblems.IssuerNotFound.Result($"No issuer '{issuerId}' that this API key may issue for.");
            }

            string credentialId = credential.TryGetProperty("id", out JsonElement idElement) && idElement.ValueKind == JsonValueKind.String
                ? idElement.GetString()!
                : issuance.NewCredentialId();
            var template = new SubmittedCredentialTemplate(credential, format, timeProvider.GetUtcNow());

            IssueOutcome outcome;
            try
            {
                outcome = await issuance.IssueAsync(
                    issuer,
                    credentialId,
                    new IssueParameters(format, alg, purposes, idempotencyKey, null, RecipientLabel(credential), caller.Actor) { CredentialPointer = "/credential" },
                    template,
                    cancellationToken);
            }
            catch (StorageConflictException)
            {
                return ApiProblems.Conflict.Result($"A credential with id '{credentialId}' was already issued.");
            }

            if (!outcome.Succeeded)
            {
                return IssueProblems.From(outcome);
            }

            byte[] body = WriteResponse(outcome.Credential!);
            string location = urls.LocalId(outcome.Credential!.Id, "/credentials/") is not null ? outcome.Credential.Id : urls.Base + "/credentials";
            return outcome.Created
                ? new CreatedJsonResult<IssueCredentialResponse>(body, location)
                : new RawJsonResult<IssueCredentialResponse>(StatusCodes.Status200OK, body) { Location = location };
        }
    }

    internal static SecuringFormat ReadFormat(string? value, string path, List<InputViolation> violations)
    {
        switch (value)
        {
            case null or "di" or "ldp" or "ldp_vc":
                return SecuringFormat.DataIntegrity;
            case "jwt" or "jwt_vc" or "vc+jwt":
                return SecuringFormat.Jwt;
            case "both":
                return SecuringFormat.Both;
            default:
                violations.Add(new(path, "format must be di, jwt or both."));
                return SecuringFormat.DataIntegrity;
        }
    }

    // options.credentialStatus: "revocation" | ["revocation", ...] | {statusPurpose} | [{type, statusPurpose}, ...].
    private static List<string> ReadPurposes(JsonElement options, List<InputViolation> violations)
    {
        var purposes = new List<string>();
        if (!options.TryGetProperty("credentialStatus", out JsonElement status) || status.ValueKind == JsonValueKind.Null)
        {
            return purposes;
        }

        IEnumerable<JsonElement> items = status.ValueKind == JsonValueKind.Array ? status.EnumerateArray() : [status];
        int i = 0;
        foreach (JsonElement item in items)
        {
            string path = status.ValueKind == JsonValueKind.Array ? $"/options/credentialStatus/{i}" : "/options/credentialStatus";
            string? purpose = item.ValueKind switch
            {
                JsonValueKind.String => item.GetString(),
                JsonValueKind.Object when item.TryGetProperty("statusPurpose", out JsonElement p) => p.ValueKind == JsonValueKind.String ? p.GetString() : null,
                JsonValueKind.Object => "revocation",
                _ => null,
            };
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("type", out JsonElement t)
                && !(t.ValueKind == JsonValueKind.String && t.GetString() == "BitstringStatusListEntry"))
            {
                violations.Add(new(path + "/type", "Only BitstringStatusListEntry status entries are issued."));
            }

            if (purpose is not ("revocation" or "suspension"))
            {
                violations.Add(new(path, "A status purpose is revocation or suspension."));
            }
            else if (purposes.Contains(purpose))
            {
                violations.Add(new(path, $"'{purpose}' is asked for twice."));
            }
            else
            {
                purposes.Add(purpose);
            }

            i++;
        }

        return purposes;
    }

    private static void CheckCredentialShape(JsonElement credential, IReadOnlyList<string> purposes, List<InputViolation> violations, out string? issuerId)
    {
        issuerId = null;
        if (!credential.TryGetProperty("@context", out JsonElement context) || context.ValueKind != JsonValueKind.Array || context.GetArrayLength() == 0
            || context[0].ValueKind != JsonValueKind.String)
        {
            violations.Add(new("/credential/@context", "@context must be an array whose first item is the VC 2.0 (or 1.1) context URL."));
        }
        else if (context[0].GetString() is string first)
        {
            if (first is not (ContextUrls.CredentialsV1 or ContextUrls.CredentialsV2))
            {
                violations.Add(new("/credential/@context/0", $"The first context must be {ContextUrls.CredentialsV2} (or {ContextUrls.CredentialsV1})."));
            }
        }

        if (!credential.TryGetProperty("type", out JsonElement type)
            || !(type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.GetString() == "VerifiableCredential") : type.ValueKind == JsonValueKind.String && type.GetString() == "VerifiableCredential"))
        {
            violations.Add(new("/credential/type", "type must include VerifiableCredential."));
        }

        if (credential.TryGetProperty("issuer", out JsonElement issuer))
        {
            issuerId = issuer.ValueKind switch
            {
                JsonValueKind.String => issuer.GetString(),
                JsonValueKind.Object when issuer.TryGetProperty("id", out JsonElement id) && id.ValueKind == JsonValueKind.String => id.GetString(),
                _ => null,
            };
        }

        if (string.IsNullOrEmpty(issuerId))
        {
            violations.Add(new("/credential/issuer", "issuer is required: the id (or an object with the id) of an issuer hosted here."));
        }

        if (credential.TryGetProperty("id", out JsonElement credentialId)
            && (credentialId.ValueKind != JsonValueKind.String || !RequestJson.IsAbsoluteUri(credentialId.GetString()!)))
        {
            violations.Add(new("/credential/id", "id must be an absolute URI (or be left out: the service assigns one)."));
        }

        if (credential.TryGetProperty("proof", out _))
        {
            violations.Add(new("/credential/proof", "The credential must be unsigned."));
        }

        if (purposes.Count > 0 && credential.TryGetProperty("credentialStatus", out _))
        {
            violations.Add(new("/credential/credentialStatus", "Either send credentialStatus or ask for it in options.credentialStatus, not both."));
        }

        if (purposes.Count > 1 && CredentialJson.IsOpenBadge(credential))
        {
            violations.Add(new("/options/credentialStatus", "An Open Badges 3.0 credential carries one credentialStatus object (its JSON Schema allows no array): ask for revocation or suspension."));
        }

        if (!credential.TryGetProperty("credentialSubject", out JsonElement subject) || subject.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            violations.Add(new("/credential/credentialSubject", "credentialSubject is required."));
        }
    }

    /// <summary>
    /// A request already refused for its shape still lists every rule its credential breaks: the VC Data Model and
    /// profile rules (<see cref="CredentialValidator.ValidateProfile"/>), run on the credential as the service would
    /// complete it (an id and a validity start when absent), at paths not already reported.
    /// </summary>
    private static void AddProfileViolations(JsonElement credential, SecuringFormat format, DateTimeOffset now, List<InputViolation> violations)
    {
        byte[] completed = new SubmittedCredentialTemplate(credential, format, now).Build("urn:uuid:00000000-0000-4000-8000-000000000000", null);
        using JsonDocument document = JsonDocument.Parse(completed);
        var reported = new HashSet<string>(violations.Select(v => v.Path), StringComparer.Ordinal);
        foreach (InputViolation v in IssuanceService.ToViolations(CredentialValidator.Default.ValidateProfile(document.RootElement).Violations, "/credential"))
        {
            if (reported.Add(v.Path))
            {
                violations.Add(v);
            }
        }
    }

    private static string RecipientLabel(JsonElement credential)
    {
        if (credential.TryGetProperty("credentialSubject", out JsonElement subject) && subject.ValueKind == JsonValueKind.Object)
        {
            if (subject.TryGetProperty("id", out JsonElement id) && id.ValueKind == JsonValueKind.String)
            {
                return id.GetString()!;
            }

            if (subject.TryGetProperty("identifier", out JsonElement identifiers) && identifiers.ValueKind == JsonValueKind.Array
                && identifiers.GetArrayLength() > 0 && identifiers[0].ValueKind == JsonValueKind.Object
                && identifiers[0].TryGetProperty("identityHash", out JsonElement hash) && hash.ValueKind == JsonValueKind.String)
            {
                return hash.GetString()!;
            }
        }

        return string.Empty;
    }

    // {"verifiableCredential": <DI JSON> | {EnvelopedVerifiableCredential with the JWT}}
    private static byte[] WriteResponse(CredentialRecord record)
    {
        var buffer = JsonScratch.Rent();
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            w.WriteStartObject();
            w.WritePropertyName("verifiableCredential");
            if (record.SignedJson is not null)
            {
                w.WriteRawValue(record.SignedJson, skipInputValidation: true);
            }
            else
            {
                EnvelopedCredentialJson.Write(w, record.Jwt!);
            }

            w.WriteEndObject();
        }

        return JsonScratch.ToArrayAndReturn(buffer);
    }
}

/// <summary>Maps an unsuccessful <see cref="IssueOutcome"/> to its problem.</summary>
internal static class IssueProblems
{
    public static ProblemHttpResult From(IssueOutcome outcome) => outcome.Problem switch
    {
        ProblemKind.JsonLd => ApiProblems.JsonLdError.Result(outcome.Detail!),
        ProblemKind.InvalidRequest => RequestJson.Violations(ApiProblems.InvalidRequest, outcome.Detail!, outcome.Violations ?? []),
        _ => RequestJson.Violations(ApiProblems.InvalidCredential, outcome.Detail!, outcome.Violations ?? []),
    };
}
