using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static BadgeIssuer.Api.Tests.Issue.ClrIssueTests;
using static BadgeIssuer.Api.Tests.Pathways.PathwayKit;

namespace BadgeIssuer.Api.Tests.Issue;

/// <summary>
/// POST /clrs: each guard on what may be embedded (status, validity period, securing format, size and count bounds,
/// learner and tenant) refuses with its RFC 9457 problem and issues nothing; idempotent retries return the first CLR.
/// </summary>
public sealed class ClrIssueRefusalTests
{
    private const string Ada = "ada@example.org";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object ForAda(params string[] credentials) => new { learner = new { email = Ada }, credentials };

    /// <summary>A badge awarded to Ada with these extra award members (status, validFrom, validUntil, format, evidence); its credential id.</summary>
    private static async Task<string> AwardAdaAsync(HttpClient client, string achievementId, object? extra = null)
    {
        JsonObject award = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(extra ?? new { }))!.AsObject();
        award["achievementId"] = achievementId;
        award["recipient"] = new JsonObject { ["email"] = Ada };
        return (string)(await AwardAsync(client, achievementId, extra: award))["credentialId"]!;
    }

    /// <summary>Every credential id the issuer (the key's, or the admin key's <paramref name="issuerId"/>) has issued.</summary>
    private static async Task<List<string>> IssuedAsync(HttpClient client, string? issuerId = null)
    {
        string query = "/credentials?limit=200" + (issuerId is null ? string.Empty : "&issuerId=" + Uri.EscapeDataString(issuerId));
        JsonNode page = await GetJsonAsync(client, query);
        page["next"].Should().BeNull("the tests issue fewer than 200 credentials");
        return [.. page["items"]!.AsArray().Select(i => (string)i!["id"]!)];
    }

    /// <summary>POSTs the CLR request; checks it is this problem (status, type, title, problem+json) and that no credential was issued. Its detail.</summary>
    private static async Task<string> RefusedAsync(HttpClient client, object request, HttpStatusCode status, string code, string title, string? idempotencyKey = null)
    {
        List<string> before = await IssuedAsync(client);
        using var message = new HttpRequestMessage(HttpMethod.Post, "/clrs") { Content = JsonContent.Create(request) };
        if (idempotencyKey is not null)
        {
            message.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using HttpResponseMessage response = await client.SendAsync(message, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == status).Should().BeTrue($"{response.StatusCode}: {text}");
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
        JsonNode problem = JsonNode.Parse(text)!;
        ((string)problem["type"]!).Should().Be("urn:badgeissuer:problem:" + code, text);
        ((string)problem["title"]!).Should().Be(title, text);
        ((int)problem["status"]!).Should().Be((int)status);
        (await IssuedAsync(client)).Should().Equal(before, "a refused CLR issues nothing");
        return (string)problem["detail"]!;
    }

    private const string InvalidClr = "The credentials cannot make this CLR.";
    private const string TooLarge = "The CLR would be larger than this service allows.";

    private static async Task<JsonNode> IssuedClrAsync(HttpClient client, object request)
    {
        (HttpStatusCode status, JsonNode body) = await PostClrAsync(client, request);
        status.Should().Be(HttpStatusCode.Created, body.ToJsonString());
        return body;
    }

    private static async Task<HttpResponseMessage> PostWithKeyAsync(HttpClient client, object request, string idempotencyKey)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/clrs") { Content = JsonContent.Create(request) };
        message.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(message, Ct);
    }

    private static async Task PostStatusAsync(HttpClient client, string credentialId, string action)
    {
        using HttpResponseMessage response = await client.PostAsync(credentialId + "/" + action, null, Ct);
        (response.StatusCode == HttpStatusCode.OK).Should().BeTrue($"{action}: {response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
    }

    [Fact]
    public async Task ASuspendedCredential_IsRefused_AndOnceReinstated_IsEmbedded()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievement = await CreateAsync(client, "Welding Safety");
        string valid = await AwardAdaAsync(client, achievement);
        string suspendable = await AwardAdaAsync(client, achievement, new { status = new[] { "suspension" } });
        await PostStatusAsync(client, suspendable, "suspend");

        (await RefusedAsync(client, ForAda(valid, suspendable), HttpStatusCode.UnprocessableEntity, "invalid-clr", InvalidClr))
            .Should().Be($"/credentials/1: '{suspendable}' is suspended; only credentials valid now are embedded.");

        await PostStatusAsync(client, suspendable, "reinstate");
        JsonNode body = await IssuedClrAsync(client, ForAda(valid, suspendable));
        ((int)body["embedded"]!).Should().Be(2);
    }

    [Fact]
    public async Task ARevokedPart_RefusesTheClrOfItsPathway()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (_, string certificate, string[] partCredentials, _) = await AdaHoldsACertificateAsync(client);
        await PostStatusAsync(client, partCredentials[2], "revoke");

        string detail = await RefusedAsync(client, new { learner = new { email = Ada }, pathways = new[] { certificate } }, HttpStatusCode.UnprocessableEntity, "invalid-clr", InvalidClr);
        detail.Should().StartWith("/pathways/0: '").And.Contain("' is revoked; only credentials valid now are embedded.");

        // Named on its own, the revoked part is refused by its own position.
        (await RefusedAsync(client, ForAda(partCredentials[0], partCredentials[2]), HttpStatusCode.UnprocessableEntity, "invalid-clr", InvalidClr))
            .Should().Be($"/credentials/1: '{partCredentials[2]}' is revoked; only credentials valid now are embedded.");
    }

    [Fact]
    public async Task AnExpiredCredential_IsRefused_FromTheMomentOfItsValidUntil()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievement = await CreateAsync(client, "Welding Safety");
        DateTimeOffset until = BadgeIssuerApplication.Now.AddDays(1);
        string valid = await AwardAdaAsync(client, achievement);
        string expiring = await AwardAdaAsync(client, achievement, new { validUntil = until.ToString("O") });

        // One second before its validUntil it is still valid, and embedded.
        app.Clock.Now = until.AddSeconds(-1);
        ((int)(await IssuedClrAsync(client, ForAda(valid, expiring)))["embedded"]!).Should().Be(2);

        // At validUntil (VC Data Model: valid until that instant) and after, it has expired.
        foreach (DateTimeOffset now in new[] { until, until.AddDays(30) })
        {
            app.Clock.Now = now;
            (await RefusedAsync(client, ForAda(valid, expiring), HttpStatusCode.UnprocessableEntity, "invalid-clr", InvalidClr))
                .Should().Be($"/credentials/1: '{expiring}' has expired; only credentials valid now are embedded.");
        }
    }

    [Fact]
    public async Task AVc11Credential_CannotBeEmbedded_ItsContextClashesWithTheClrsVc2Context()
    {
        // A VC 1.1 credential (an expirationDate, not a validUntil) redefines the VC 2.0 context's protected terms inside
        // the CLR, so the CLR cannot be processed as JSON-LD: it is refused before signing, whatever its dates say.
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        const string learner = "did:example:ada-vc11";
        var credential = new JsonObject
        {
            ["@context"] = new JsonArray("https://www.w3.org/2018/credentials/v1"),
            ["type"] = new JsonArray("VerifiableCredential"),
            ["issuer"] = BadgeIssuerApplication.IssuerId,
            ["expirationDate"] = "2030-01-01T00:00:00Z",
            ["credentialSubject"] = new JsonObject { ["id"] = learner },
        };
        using HttpResponseMessage issued = await client.PostAsJsonAsync("/credentials/issue", new { credential }, Ct);
        string text = await issued.Content.ReadAsStringAsync(Ct);
        (issued.StatusCode == HttpStatusCode.Created).Should().BeTrue(text);
        string id = (string)JsonNode.Parse(text)!["verifiableCredential"]!["id"]!;

        (await RefusedAsync(client, new { learner = new { id = learner }, credentials = new[] { id } }, HttpStatusCode.UnprocessableEntity, "jsonld-error", "The document cannot be processed as JSON-LD."))
            .Should().Contain("protected term");
    }

    [Fact]
    public async Task ACredentialNotValidYet_IsRefused_UntilItsValidFrom()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievement = await CreateAsync(client, "Welding Safety");
        DateTimeOffset from = BadgeIssuerApplication.Now.AddDays(7);
        string future = await AwardAdaAsync(client, achievement, new { validFrom = from.ToString("O") });

        foreach (DateTimeOffset now in new[] { BadgeIssuerApplication.Now, from.AddSeconds(-1) })
        {
            app.Clock.Now = now;
            (await RefusedAsync(client, ForAda(future), HttpStatusCode.UnprocessableEntity, "invalid-clr", InvalidClr))
                .Should().Be($"/credentials/0: '{future}' is not valid yet; only credentials valid now are embedded.");
        }

        app.Clock.Now = from;
        ((int)(await IssuedClrAsync(client, ForAda(future)))["embedded"]!).Should().Be(1);
    }

    [Fact]
    public async Task ACredentialIssuedOnlyAsAVcJwt_IsRefused_OneAlsoIssuedAsDataIntegrity_IsEmbeddedAsSuch()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievement = await CreateAsync(client, "Welding Safety");
        string jwtOnly = await AwardAdaAsync(client, achievement, new { format = "jwt" });
        string both = await AwardAdaAsync(client, achievement, new { format = "both" });

        (await RefusedAsync(client, ForAda(both, jwtOnly), HttpStatusCode.UnprocessableEntity, "invalid-clr", InvalidClr))
            .Should().Be($"/credentials/1: '{jwtOnly}' was issued only as a VC-JWT; a CLR embeds Data Integrity credentials as issued.");

        JsonNode body = await IssuedClrAsync(client, ForAda(both));
        JsonNode embedded = body["credential"]!["credentialSubject"]!["verifiableCredential"]![0]!;
        JsonNode.DeepEquals(embedded, JsonNode.Parse(await client.GetStringAsync(both + ".json", Ct))).Should().BeTrue();
    }

    [Fact]
    public async Task MaxCredentials_CountsEachCredentialOnce_AcrossPathwaysAndNamedIds()
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:Clr:MaxCredentials", "4"));
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string certificate, string[] partCredentials, string composite) = await AdaHoldsACertificateAsync(client);
        string extra = await AwardAdaAsync(client, parts[0]);

        // The pathway's four, with one of them named again (and a duplicate id): four, exactly the bound.
        JsonNode body = await IssuedClrAsync(client, new { learner = new { email = Ada }, pathways = new[] { certificate }, credentials = new[] { partCredentials[1], partCredentials[1] } });
        ((int)body["embedded"]!).Should().Be(4);

        // A fifth, reached after the pathway: refused where it is named.
        (await RefusedAsync(client, new { learner = new { email = Ada }, pathways = new[] { certificate }, credentials = new[] { composite, extra } },
                HttpStatusCode.UnprocessableEntity, "clr-too-large", TooLarge))
            .Should().Be("/credentials/1: the CLR would embed more than 4 credentials (BadgeIssuer:Clr:MaxCredentials).");

        // Five named: refused before any lookup.
        (await RefusedAsync(client, ForAda([.. partCredentials, composite, extra]), HttpStatusCode.BadRequest, "invalid-request", "The request has invalid fields."))
            .Should().Be("The CLR request is not valid.");
    }

    [Fact]
    public async Task MaxBytes_BoundsTheUtf8BytesOfTheEmbeddedCredentials_ExactlyAtTheLimit()
    {
        string data = Directory.CreateTempSubdirectory("badgeissuer-test-").FullName;
        try
        {
            // Two badges with long non-ASCII evidence (two UTF-8 bytes per character), so characters and bytes differ.
            string[] credentials;
            int bytes;
            using (var first = new BadgeIssuerApplication { DataDirectory = data, KeepDataDirectory = true })
            {
                using HttpClient client = first.CreateAuthorizedClient();
                string achievement = await CreateAsync(client, "Soudure à l'arc");
                object evidence = new { evidence = Enumerable.Range(0, 3).Select(i => new { type = new[] { "Evidence" }, narrative = new string('é', 8000) }).ToArray() };
                credentials = [await AwardAdaAsync(client, achievement, evidence), await AwardAdaAsync(client, achievement, evidence)];
                bytes = 0;
                foreach (string id in credentials)
                {
                    bytes += (await client.GetByteArrayAsync(id + ".json", Ct)).Length;
                }
            }

            bytes.Should().BeGreaterThan(96_000, "the evidence alone is 96,000 bytes of UTF-8 (48,000 characters)");

            // One byte under what they weigh: refused, and nothing issued.
            using (var under = new BadgeIssuerApplication(("BadgeIssuer:Clr:MaxBytes", (bytes - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))) { DataDirectory = data, KeepDataDirectory = true })
            {
                using HttpClient client = under.CreateAuthorizedClient();
                (await RefusedAsync(client, ForAda(credentials), HttpStatusCode.UnprocessableEntity, "clr-too-large", TooLarge))
                    .Should().Be($"The credentials to embed exceed {bytes - 1} bytes (BadgeIssuer:Clr:MaxBytes).");
            }

            // Exactly what they weigh: embedded.
            using (var exact = new BadgeIssuerApplication(("BadgeIssuer:Clr:MaxBytes", bytes.ToString(System.Globalization.CultureInfo.InvariantCulture))) { DataDirectory = data, KeepDataDirectory = true })
            {
                using HttpClient client = exact.CreateAuthorizedClient();
                ((int)(await IssuedClrAsync(client, ForAda(credentials)))["embedded"]!).Should().Be(2);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A pooled SQLite handle may linger a moment; the OS temp directory is cleaned eventually.
            }
        }
    }

    [Fact]
    public async Task ARetryWithTheSameIdempotencyKey_ReturnsTheFirstClr_AndIssuesNoOther()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (_, string certificate, string[] partCredentials, _) = await AdaHoldsACertificateAsync(client);
        object request = new { learner = new { email = Ada }, pathways = new[] { certificate } };

        using HttpResponseMessage first = await PostWithKeyAsync(client, request, "lms-clr-1");
        string firstText = await first.Content.ReadAsStringAsync(Ct);
        first.StatusCode.Should().Be(HttpStatusCode.Created, firstText);
        JsonNode firstBody = JsonNode.Parse(firstText)!;
        string id = (string)firstBody["credentialId"]!;
        firstBody.AsObject().ContainsKey("jwt").Should().BeTrue("the OpenAPI schema requires it, null when not issued as a VC-JWT");
        firstBody["jwt"].Should().BeNull();
        List<string> issued = await IssuedAsync(client);

        // The same request again: the same CLR, byte for byte, answered 200 with its location.
        using HttpResponseMessage again = await PostWithKeyAsync(client, request, "lms-clr-1");
        string againText = await again.Content.ReadAsStringAsync(Ct);
        again.StatusCode.Should().Be(HttpStatusCode.OK, againText);
        again.Headers.Location!.ToString().Should().Be(id);
        JsonNode.DeepEquals(JsonNode.Parse(againText), firstBody).Should().BeTrue(againText);

        // A different body with the same key: as everywhere in this API (README), the key names the first CLR, which is
        // returned as stored, and its counts are the stored CLR's, not the new body's.
        using HttpResponseMessage other = await PostWithKeyAsync(client, ForAda(partCredentials[0]), "lms-clr-1");
        string otherText = await other.Content.ReadAsStringAsync(Ct);
        other.StatusCode.Should().Be(HttpStatusCode.OK, otherText);
        JsonNode.DeepEquals(JsonNode.Parse(otherText), firstBody).Should().BeTrue(otherText);
        (await IssuedAsync(client)).Should().Equal(issued, "a retry issues nothing");

        // The same key for another learner: never an answer about Ada (her CLR embeds all her credentials), and nothing issued.
        (await RefusedAsync(client, new { learner = new { email = "grace@example.org" }, credentials = new[] { partCredentials[0] } },
                HttpStatusCode.Conflict, "conflict", "The request conflicts with the current state.", idempotencyKey: "lms-clr-1"))
            .Should().Be("The Idempotency-Key 'lms-clr-1' already named a credential that is not a CLR of this learner; send this CLR with a key of its own.");

        // A credential it embeds revoked since: the retry still names the CLR that was issued (which now verifies as not valid).
        await PostStatusAsync(client, partCredentials[0], "revoke");
        using HttpResponseMessage late = await PostWithKeyAsync(client, request, "lms-clr-1");
        string lateText = await late.Content.ReadAsStringAsync(Ct);
        late.StatusCode.Should().Be(HttpStatusCode.OK, lateText);
        JsonNode.DeepEquals(JsonNode.Parse(lateText), firstBody).Should().BeTrue(lateText);
        (await IssuedAsync(client)).Should().Equal(issued, "a retry issues nothing");

        // Another key is another request: checked afresh, so the revoked credential is refused.
        (await RefusedAsync(client, request, HttpStatusCode.UnprocessableEntity, "invalid-clr", InvalidClr, idempotencyKey: "lms-clr-2"))
            .Should().Contain($"'{partCredentials[0]}' is revoked");
    }

    [Fact]
    public async Task AnIdempotencyKeyAlreadyUsedForAnAward_IsRefused_NotAnsweredWithTheBadge()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievement = await CreateAsync(client, "Welding Safety");
        string badge = (string)(await AwardAsync(client, achievement, idempotencyKey: "lms-42"))["credentialId"]!;

        (await RefusedAsync(client, ForAda(badge), HttpStatusCode.Conflict, "conflict", "The request conflicts with the current state.", idempotencyKey: "lms-42"))
            .Should().Be($"The Idempotency-Key 'lms-42' already named '{badge}', which is not a CLR; send this CLR with a key of its own.");
    }

    [Fact]
    public async Task AnotherTenantsCredentialsIssuerAndPathways_AnswerAsIfTheyDidNotExist_AndLeakNothing()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        using (HttpResponseMessage created = await admin.PostAsJsonAsync("/issuers", new { name = "Other College", slug = "other" }, Ct))
        {
            created.StatusCode.Should().Be(HttpStatusCode.Created);
        }

        string otherIssuer = (string)(await GetJsonAsync(admin, "/issuers/other"))["id"]!;
        (_, string certificate, string[] partCredentials, _) = await AdaHoldsACertificateAsync(admin);
        using HttpClient other = app.CreateClient();
        using (HttpResponseMessage key = await admin.PostAsJsonAsync("/issuers/other/api-keys", new { description = "their lms", scopes = new[] { "issue", "manage" } }, Ct))
        {
            other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)JsonNode.Parse(await key.Content.ReadAsStringAsync(Ct))!["apiKey"]!);
        }

        // Their own badge for Ada, so the refusals below are about the tenant, not an empty issuer.
        string theirs = await AwardAdaAsync(other, await CreateAsync(other, "Their badge"));
        List<string> ours = await IssuedAsync(admin);
        string unknown = BadgeIssuerApplication.BaseUrl + "/credentials/no-such-one";

        // Our credential, named by their key: the same answer as an id that does not exist.
        string foreign = await RefusedAsync(other, ForAda(theirs, partCredentials[0]), HttpStatusCode.NotFound, "credential-not-found", "No such credential.");
        string missing = await RefusedAsync(other, ForAda(theirs, unknown), HttpStatusCode.NotFound, "credential-not-found", "No such credential.");
        foreign.Should().Be($"/credentials/1: no credential '{partCredentials[0]}' of this issuer.");
        foreign.Replace(partCredentials[0], "ID", StringComparison.Ordinal).Should().Be(missing.Replace(unknown, "ID", StringComparison.Ordinal));

        // Our pathway, and our issuer named outright.
        (await RefusedAsync(other, new { learner = new { email = Ada }, pathways = new[] { certificate } }, HttpStatusCode.NotFound, "achievement-not-found", "No such achievement."))
            .Should().Be($"/pathways/0: no achievement '{certificate}' of this issuer.");
        (await RefusedAsync(other, new { learner = new { email = Ada }, credentials = new[] { partCredentials[0] }, issuerId = BadgeIssuerApplication.IssuerId },
                HttpStatusCode.NotFound, "issuer-not-found", "No such issuer."))
            .Should().Be("Name an issuer this API key may issue for (issuerId).");

        // The admin key acting for the other issuer may not mix in the default issuer's credentials either.
        (await RefusedAsync(admin, new { learner = new { email = Ada }, credentials = new[] { theirs, partCredentials[0] }, issuerId = otherIssuer },
                HttpStatusCode.NotFound, "credential-not-found", "No such credential."))
            .Should().Be($"/credentials/1: no credential '{partCredentials[0]}' of this issuer.");

        (await IssuedAsync(admin)).Should().Equal(ours, "nothing was issued in our name");
        (await IssuedAsync(admin, otherIssuer)).Should().Equal([theirs], "nothing was issued in theirs");

        // Their own badge makes their own CLR; it embeds nothing of ours.
        JsonNode clr = await IssuedClrAsync(other, ForAda(theirs));
        clr["credential"]!["credentialSubject"]!["verifiableCredential"]!.AsArray().Select(c => (string)c!["id"]!).Should().Equal(theirs);
    }

    [Fact]
    public async Task AnotherLearnersCredential_IsRefused_ByEmailOrById_AndNotLeakedIntoTheRecord()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievement = await CreateAsync(client, "Welding Safety");
        string adas = await AwardAdaAsync(client, achievement);
        string graces = (string)(await AwardAsync(client, achievement, email: "grace@example.org"))["credentialId"]!;
        string byDid = (string)(await AwardAsync(client, achievement, extra: new { achievementId = achievement, recipient = new { id = "did:example:grace" } }))["credentialId"]!;

        (await RefusedAsync(client, ForAda(adas, graces), HttpStatusCode.UnprocessableEntity, "invalid-clr", InvalidClr))
            .Should().Be($"/credentials/1: '{graces}' was not issued to this learner.");
        (await RefusedAsync(client, new { learner = new { id = "did:example:ada" }, credentials = new[] { byDid } }, HttpStatusCode.UnprocessableEntity, "invalid-clr", InvalidClr))
            .Should().Be($"/credentials/0: '{byDid}' was not issued to this learner.");
        (await RefusedAsync(client, new { learner = new { email = "grace@example.org" }, credentials = new[] { byDid } }, HttpStatusCode.UnprocessableEntity, "invalid-clr", InvalidClr))
            .Should().Be($"/credentials/0: '{byDid}' was not issued to this learner.");

        // Grace's own record, by her DID, holds her badge.
        JsonNode clr = await IssuedClrAsync(client, new { learner = new { id = "did:example:grace" }, credentials = new[] { byDid } });
        ((string)clr["credential"]!["credentialSubject"]!["id"]!).Should().Be("did:example:grace");
    }
}
