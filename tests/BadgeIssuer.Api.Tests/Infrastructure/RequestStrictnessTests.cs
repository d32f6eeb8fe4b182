using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Api.Tests.Issue;

namespace BadgeIssuer.Api.Tests.Infrastructure;

/// <summary>
/// Request strictness (issue 13): unknown members are refused with a pointer and a suggestion, recipient and profile
/// emails are normalised and checked against the addr-spec grammar, a 403 names the scope needed, and the OpenAPI
/// document declares the Idempotency-Key header.
/// </summary>
public sealed class RequestStrictnessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        string text = await response.Content.ReadAsStringAsync(Ct);
        (status == response.StatusCode).Should().BeTrue($"{response.StatusCode}: {text}");
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
        JsonNode problem = JsonNode.Parse(text)!;
        ((string)problem["type"]!).Should().Be("urn:badgeissuer:problem:" + code);
        ((string)problem["code"]!).Should().Be(code);
        return problem;
    }

    private static (string Path, string? DidYouMean)[] Errors(JsonNode problem) =>
        problem["errors"]!.AsArray().Select(e => ((string)e!["path"]!, (string?)e["didYouMean"])).ToArray();

    [Fact]
    public async Task Award_TypoedMembers_UnknownMemberWithEachPointerAndSuggestion()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);

        using HttpResponseMessage response = await client.PostAsJsonAsync("/awards", new JsonObject
        {
            ["achievementId"] = achievementId,
            ["recipient"] = new JsonObject { ["email"] = "grace@example.org", ["nmae"] = "Grace" },
            ["formt"] = "jwt",
            ["validUntill"] = "2030-01-01T00:00:00Z",
        }, Ct);

        JsonNode problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "unknown-member");
        Errors(problem).OrderBy(e => e.Path, StringComparer.Ordinal).Should().Equal(new (string, string?)[] { ("/recipient/nmae", "name"), ("/formt", "format"), ("/validUntill", "validUntil") }.OrderBy(e => e.Item1, StringComparer.Ordinal));
        ((string)problem["detail"]!).Should().Contain("did you mean \"format\"");
    }

    [Fact]
    public async Task Award_MisspelledRecipient_PointsAtTheTypoNotAtAMissingObject()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);

        using HttpResponseMessage response = await client.PostAsJsonAsync("/awards", new { achievementId, recipent = new { email = "grace@example.org" } }, Ct);

        JsonNode problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "unknown-member");
        Errors(problem).Should().Equal([("/recipent", "recipient")]);
        ((string)problem["detail"]!).Should().Be("Unknown member \"recipent\" at /recipent; did you mean \"recipient\"?");
    }

    [Fact]
    public async Task UnknownMembers_EveryRequestBody_AreRefusedWithTheirPointer()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        string achievementLocal = new Uri(achievementId).AbsolutePath;

        (HttpMethod Method, string Path, JsonObject Body, string Pointer, string? Suggestion)[] cases =
        [
            (HttpMethod.Post, "/awards/batch", new() { ["awards"] = new JsonArray(new JsonObject { ["achievementId"] = achievementId, ["recipient"] = new JsonObject { ["email"] = "a@example.org" }, ["idempotencyKy"] = "k" }) }, "/awards/0/idempotencyKy", "idempotencyKey"),
            (HttpMethod.Post, "/awards/batch", new() { ["Awards"] = new JsonArray() }, "/Awards", "awards"),
            (HttpMethod.Post, "/credentials/issue", new() { ["credential"] = new JsonObject(), ["options"] = new JsonObject { ["formt"] = "jwt" } }, "/options/formt", "format"),
            (HttpMethod.Post, "/credentials/issue", new() { ["credential"] = new JsonObject(), ["optoins"] = new JsonObject() }, "/optoins", "options"),
            (HttpMethod.Post, "/achievements", new() { ["nmae"] = "A", ["description"] = "d", ["criteria"] = new JsonObject { ["narrative"] = "n" } }, "/nmae", "name"),
            (HttpMethod.Post, "/achievements", new() { ["name"] = "A", ["description"] = "d", ["criteria"] = new JsonObject { ["narative"] = "n" } }, "/criteria/narative", "narrative"),
            (HttpMethod.Put, achievementLocal, new() { ["name"] = "A", ["description"] = "d", ["criteria"] = new JsonObject { ["narrative"] = "n" }, ["issuerId"] = BadgeIssuerApplication.IssuerId }, "/issuerId", null),
            (HttpMethod.Post, "/issuers", new() { ["name"] = "Acme", ["descripton"] = "d" }, "/descripton", "description"),
            (HttpMethod.Put, "/issuers/default", new() { ["name"] = "Acme", ["slug"] = "acme" }, "/slug", null),
            (HttpMethod.Post, "/issuers/default/api-keys", new() { ["scope"] = new JsonArray("issue") }, "/scope", "scopes"),
            (HttpMethod.Post, "/issuers/default/clients", new() { ["expiresIn"] = "P1D" }, "/expiresIn", "expiresAt"),
            (HttpMethod.Post, "/credentials/status", new() { ["credentialId"] = "urn:x", ["credentialStatus"] = new JsonArray(new JsonObject { ["statusPurpse"] = "revocation", ["status"] = true }) }, "/credentialStatus/0/statusPurpse", "statusPurpose"),
        ];

        foreach ((HttpMethod method, string path, JsonObject body, string pointer, string? suggestion) in cases)
        {
            using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
            using HttpResponseMessage response = await client.SendAsync(request, Ct);
            JsonNode problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "unknown-member");
            Errors(problem).Should().Equal([(pointer, suggestion)]);
        }
    }

    [Fact]
    public async Task IssueCredential_UnknownMembersInsideTheCredential_AreLeftToJsonLd()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();

        // The credential is not a request DTO: an undefined term there is judged by JSON-LD safe mode, not by the shape.
        using HttpResponseMessage response = await client.PostAsJsonAsync("/credentials/issue", new
        {
            credential = new JsonObject
            {
                ["@context"] = new JsonArray("https://www.w3.org/2018/credentials/v1"),
                ["type"] = new JsonArray("VerifiableCredential"),
                ["issuer"] = BadgeIssuerApplication.IssuerId,
                ["issuanceDate"] = "2026-01-01T00:00:00Z",
                ["credentialSubject"] = new JsonObject { ["id"] = "did:example:learner", ["undefinedTerm"] = "x" },
            },
        }, Ct);

        string text = await response.Content.ReadAsStringAsync(Ct);
        text.Should().NotContain("unknown-member");
    }

    [Fact]
    public void Suggest_CaseTranspositionAndEdits_FindTheKnownName()
    {
        string[] known = ["achievementId", "recipient", "format", "validFrom", "validUntil", "name", "status"];
        RequestShape.Suggest("AchievementID", known).Should().Be("achievementId");
        RequestShape.Suggest("nmae", known).Should().Be("name");
        RequestShape.Suggest("recipent", known).Should().Be("recipient");
        RequestShape.Suggest("validUntill", known).Should().Be("validUntil");
        RequestShape.Suggest("formt", known).Should().Be("format");
        RequestShape.Suggest("colour", known).Should().BeNull();
        RequestShape.Suggest(new string('x', 10_000), known).Should().BeNull();
    }

    [Fact]
    public async Task UnknownMembers_ManyTypos_AreReportedUpToTheBound()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        var body = new JsonObject();
        for (int i = 0; i < 500; i++)
        {
            body["extra" + i] = i;
        }

        using HttpResponseMessage response = await client.PostAsJsonAsync("/awards", body, Ct);

        JsonNode problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "unknown-member");
        problem["errors"]!.AsArray().Count.Should().Be(RequestShape.MaxReported);
    }

    [Fact]
    public async Task Award_EmailWithSpacesAndCapitals_IsNormalisedAndHashedAsBefore()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);

        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId, "  Grace.Hopper@Example.ORG ");

        JsonNode identifier = award["credential"]!["credentialSubject"]!["identifier"]![0]!;
        string salt = (string)identifier["salt"]!;
        ((string)identifier["identityHash"]!).Should().Be(Core.Model.IdentityHash.ComputeSha256("grace.hopper@example.org", salt));
    }

    [Fact]
    public async Task Award_InternationalisedDomain_IsHashedInAsciiForm_AndVerifiesWithEitherSpelling()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);

        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId, "grace@BÜCHER.de");

        JsonNode identifier = award["credential"]!["credentialSubject"]!["identifier"]![0]!;
        ((string)identifier["identityHash"]!).Should().Be(Core.Model.IdentityHash.ComputeSha256("grace@xn--bcher-kva.de", (string)identifier["salt"]!));
        foreach (string spelling in new[] { "grace@bücher.de", "grace@xn--bcher-kva.de" })
        {
            using HttpResponseMessage verify = await client.PostAsJsonAsync("/credentials/verify", new JsonObject
            {
                ["verifiableCredential"] = award["credential"]!.DeepClone(),
                ["options"] = new JsonObject { ["recipient"] = spelling },
            }, Ct);
            string text = await verify.Content.ReadAsStringAsync(Ct);
            JsonNode check = JsonNode.Parse(text)!["checks"]!.AsArray().First(c => (string)c!["name"]! == "recipient")!;
            ((string)check["status"]! == "passed").Should().BeTrue(spelling + ": " + text);
        }
    }

    [Theory]
    [InlineData("grace@@example.org", "more than one '@'")]
    [InlineData("a@b@c", "more than one '@'")]
    [InlineData("grace@example..org", "empty label")]
    [InlineData(".grace@example.org", "starts or ends with a dot")]
    [InlineData("grace.@example.org", "starts or ends with a dot")]
    [InlineData("gr..ace@example.org", "two dots in a row")]
    [InlineData("gr ace@example.org", "white space")]
    [InlineData("grace@exam ple.org", "white space")]
    [InlineData("grace@localhost", "at least one dot")]
    [InlineData("grace@-example.org", "hyphen")]
    [InlineData("grace@[192.0.2.1]", "Address literals")]
    [InlineData("grace@192.0.2.1", "all digits")]
    [InlineData("\"grace\"@example.org", "Quoted")]
    [InlineData("grace(comment)@example.org", "'('")]
    [InlineData("grace", "no '@'")]
    [InlineData("@example.org", "nothing before the '@'")]
    [InlineData("grace@", "no domain")]
    [InlineData("grace@exa_mple.org", "'_'")]
    public async Task Award_InvalidEmail_SaysWhatIsWrong(string email, string message)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();

        using HttpResponseMessage response = await client.PostAsJsonAsync("/awards", new { achievementId = "urn:x", recipient = new { email } }, Ct);

        JsonNode problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "invalid-request");
        JsonNode error = problem["errors"]!.AsArray().Single(e => (string)e!["path"]! == "/recipient/email")!;
        ((string)error["message"]!).Should().Contain(message);
    }

    [Fact]
    public async Task IssuerProfile_Email_IsNormalisedAndChecked()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();

        using HttpResponseMessage bad = await client.PutAsJsonAsync("/issuers/default", new { name = "Acme", email = "info@@acme.example" }, Ct);
        await ProblemAsync(bad, HttpStatusCode.BadRequest, "invalid-request");

        using HttpResponseMessage good = await client.PutAsJsonAsync("/issuers/default", new { name = "Acme", email = " Info@ACME.example " }, Ct);
        string text = await good.Content.ReadAsStringAsync(Ct);
        good.IsSuccessStatusCode.Should().BeTrue(text);
        ((string)JsonNode.Parse(text)!["email"]!).Should().Be("info@acme.example");
    }

    [Fact]
    public async Task Forbidden_NamesTheRequiredScope_InTheProblemAndTheChallenge()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        using HttpResponseMessage created = await admin.PostAsJsonAsync("/issuers/default/api-keys", new { scopes = new[] { "issue" } }, Ct);
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        string key = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!["apiKey"]!;
        using HttpClient issuer = app.CreateClient();
        issuer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        using HttpResponseMessage response = await issuer.PostAsJsonAsync("/achievements", new { name = "A" }, Ct);

        JsonNode problem = await ProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        ((string)problem["requiredScope"]!).Should().Be("manage");
        problem["acceptedScopes"]!.AsArray().Select(s => (string)s!).Should().Equal(["manage", "admin"]);
        ((string)problem["detail"]!).Should().Contain("'manage'");
        response.Headers.WwwAuthenticate.ToString().Should().Be("Bearer error=\"insufficient_scope\", scope=\"manage\"");

        using HttpResponseMessage keys = await issuer.GetAsync("/issuers/default/keys", Ct);
        JsonNode readProfile = await ProblemAsync(keys, HttpStatusCode.Forbidden, "forbidden");
        ((string)readProfile["requiredScope"]!).Should().Be(ApiScopes.ProfileReadonly);
    }

    [Fact]
    public async Task OpenApi_DeclaresIdempotencyKeyHeader_OnTheEndpointsThatHonourIt()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        JsonNode document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json", Ct))!;

        string[] declaring = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => (Path: path.Key, Method: op.Key, Operation: op.Value!)))
            .Where(op => op.Operation["parameters"] is JsonArray parameters
                && parameters.Any(p => (string?)p!["name"] == "Idempotency-Key" && (string?)p["in"] == "header"))
            .Select(op => op.Method + " " + op.Path)
            .Order(StringComparer.Ordinal)
            .ToArray();

        declaring.Should().Equal(["post /awards", "post /awards/batch", "post /clrs", "post /credentials/issue"]);
    }
}
