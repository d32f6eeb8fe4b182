using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Issue;
using static BadgeIssuer.Api.Tests.Support.VerifyAssert;

namespace BadgeIssuer.Api.Tests.Verify;

/// <summary>POST /presentations/verify: Data Integrity VPs and VP-JWTs, challenge/domain binding, holder, contained credentials.</summary>
public sealed class PresentationsApiTests : IDisposable
{
    private const string VerifyPath = "/presentations/verify";
    private const string Challenge = "c0ffee-3f1a-4b1d";
    private const string Domain = "employer.example";

    private readonly SignedCredentials _credentials = new();
    private readonly TestHolder _holder = new();

    public void Dispose()
    {
        _credentials.Dispose();
        _holder.Dispose();
    }

    private static async Task<(HttpStatusCode Status, JsonNode Report)> PostAsync(HttpClient client, string presentation, string? challenge = null, string? domain = null)
    {
        var options = new JsonObject();
        if (challenge is not null)
        {
            options["challenge"] = challenge;
        }

        if (domain is not null)
        {
            options["domain"] = domain;
        }

        var request = new JsonObject
        {
            ["verifiablePresentation"] = presentation.TrimStart().StartsWith('{') ? JsonNode.Parse(presentation) : JsonValue.Create(presentation),
            ["options"] = options,
        };
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body(request.ToJsonString(), "application/json"), Ct);
        return (response.StatusCode, await ReportAsync(response));
    }

    [Fact]
    public async Task VerifyPresentation_DataIntegrityWithMatchingChallenge_Returns200Verified()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        string vp = _holder.SignDataIntegrity(TestHolder.Presentation(_holder.Did, _credentials.DataIntegrityText), Challenge);

        (HttpStatusCode status, JsonNode report) = await PostAsync(client, vp, Challenge);

        (status == HttpStatusCode.OK).Should().BeTrue(report.ToJsonString());
        ((bool)report["verified"]!).Should().BeTrue();
        ((string)report["format"]!).Should().Be("json");
        ((string)report["holder"]!).Should().Be(_holder.Did);
        Check(report, "presentation-proof").Should().Be("passed");
        Check(report, "challenge").Should().Be("passed");
        Check(report, "domain").Should().Be("skipped");
        Check(report, "holder").Should().Be("passed");
        Check(report, "credentials").Should().Be("passed");
        JsonNode credential = report["credentials"]!.AsArray().Single()!;
        ((bool)credential["verified"]!).Should().BeTrue();
        ((string)credential["issuer"]!).Should().Be(_credentials.IssuerDid);
    }

    [Fact]
    public async Task VerifyPresentation_DataIntegrityWithOtherChallenge_Returns422WithFailedProofAndChallenge()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        string vp = _holder.SignDataIntegrity(TestHolder.Presentation(_holder.Did, _credentials.DataIntegrityText), "an-old-challenge");

        (HttpStatusCode status, JsonNode report) = await PostAsync(client, vp, Challenge);

        status.Should().Be(HttpStatusCode.UnprocessableEntity);
        ((bool)report["verified"]!).Should().BeFalse();
        Check(report, "presentation-proof").Should().Be("failed");
        Message(report, "presentation-proof").Should().Contain("challenge does not match");
        Check(report, "challenge").Should().Be("failed");
        ((bool)report["credentials"]![0]!["verified"]!).Should().BeTrue();
    }

    [Fact]
    public async Task VerifyPresentation_DataIntegrityWithoutChallengeWhenOneIsAsked_Returns422()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        string vp = _holder.SignDataIntegrity(TestHolder.Presentation(_holder.Did, _credentials.DataIntegrityText));

        (HttpStatusCode status, JsonNode report) = await PostAsync(client, vp, Challenge);

        status.Should().Be(HttpStatusCode.UnprocessableEntity);
        Check(report, "presentation-proof").Should().Be("failed");
        Check(report, "challenge").Should().Be("failed");
        Message(report, "challenge").Should().Contain("has no challenge");
    }

    [Fact]
    public async Task VerifyPresentation_DataIntegrityWithoutOptions_Returns200AndSkipsChallenge()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        string vp = _holder.SignDataIntegrity(TestHolder.Presentation(_holder.Did, _credentials.DataIntegrityText), Challenge);

        (HttpStatusCode status, JsonNode report) = await PostAsync(client, vp);

        status.Should().Be(HttpStatusCode.OK);
        Check(report, "challenge").Should().Be("skipped");
    }

    [Theory]
    [InlineData(Domain, HttpStatusCode.OK, "passed")]
    [InlineData("attacker.example", HttpStatusCode.UnprocessableEntity, "failed")]
    public async Task VerifyPresentation_DataIntegrityWithDomain_ComparesItToTheRequest(string signedDomain, HttpStatusCode expected, string domainCheck)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        string vp = _holder.SignDataIntegrity(TestHolder.Presentation(_holder.Did, _credentials.DataIntegrityText), Challenge, signedDomain);

        (HttpStatusCode status, JsonNode report) = await PostAsync(client, vp, Challenge, Domain);

        status.Should().Be(expected);
        Check(report, "domain").Should().Be(domainCheck);
        Check(report, "challenge").Should().Be("passed");
    }

    [Fact]
    public async Task VerifyPresentation_ProofPurposeAssertionMethod_Returns422()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        string vp = _holder.SignDataIntegrity(TestHolder.Presentation(_holder.Did, _credentials.DataIntegrityText), Challenge, proofPurpose: "assertionMethod");

        (HttpStatusCode status, JsonNode report) = await PostAsync(client, vp, Challenge);

        status.Should().Be(HttpStatusCode.UnprocessableEntity);
        Message(report, "presentation-proof").Should().Contain("ProofPurposeMismatch");
    }

    [Fact]
    public async Task VerifyPresentation_SignedByAnotherKeyThanTheHolder_Returns422WithFailedHolder()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using var other = new TestHolder();
        string vp = _holder.SignDataIntegrity(TestHolder.Presentation(other.Did, _credentials.DataIntegrityText), Challenge);

        (HttpStatusCode status, JsonNode report) = await PostAsync(client, vp, Challenge);

        status.Should().Be(HttpStatusCode.UnprocessableEntity);
        Check(report, "presentation-proof").Should().Be("passed");
        Check(report, "holder").Should().Be("failed");
    }

    [Fact]
    public async Task VerifyPresentation_TamperedAfterSigning_Returns422WithFailedProof()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        string vp = _holder.SignDataIntegrity(TestHolder.Presentation(_holder.Did, _credentials.DataIntegrityText), Challenge);
        JsonNode node = JsonNode.Parse(vp)!;
        node["id"] = "urn:uuid:00000000-0000-4000-8000-000000000000";

        (HttpStatusCode status, JsonNode report) = await PostAsync(client, node.ToJsonString(), Challenge);

        status.Should().Be(HttpStatusCode.UnprocessableEntity);
        Message(report, "presentation-proof").Should().Contain("SignatureInvalid");
        Check(report, "holder").Should().Be("skipped");
    }

    [Fact]
    public async Task VerifyPresentation_OneGoodAndOneTamperedCredential_Returns422WithPerCredentialReports()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId);
        string issued = award["credential"]!.ToJsonString();
        string tampered = System.Text.Encoding.UTF8.GetString(_credentials.Tampered);
        string vp = _holder.SignDataIntegrity(TestHolder.Presentation(_holder.Did, issued, tampered), Challenge);

        (HttpStatusCode status, JsonNode report) = await PostAsync(client, vp, Challenge);

        status.Should().Be(HttpStatusCode.UnprocessableEntity);
        ((bool)report["verified"]!).Should().BeFalse();
        Check(report, "presentation-proof").Should().Be("passed");
        Check(report, "credentials").Should().Be("failed");
        Message(report, "credentials").Should().Contain("credentials[1]");
        JsonArray credentials = report["credentials"]!.AsArray();
        credentials.Count.Should().Be(2);
        ((bool)credentials[0]!["verified"]!).Should().BeTrue(credentials[0]!.ToJsonString());
        ((string)credentials[0]!["issuer"]!).Should().Be(BadgeIssuerApplication.IssuerId);
        ((bool)credentials[1]!["verified"]!).Should().BeFalse();
        Check(credentials[1]!, "proof").Should().Be("failed");
    }

    [Fact]
    public async Task VerifyPresentation_JwtWithMatchingNonceAndAudience_Returns200()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        string jwt = _holder.SignJwt(TestHolder.Presentation(_holder.Did, JsonSerializer.Serialize(_credentials.Jwt)), Challenge, Domain);

        (HttpStatusCode status, JsonNode report) = await PostAsync(client, jwt, Challenge, Domain);

        (status == HttpStatusCode.OK).Should().BeTrue(report.ToJsonString());
        ((string)report["format"]!).Should().Be("jwt");
        Check(report, "presentation-proof").Should().Be("passed");
        Check(report, "challenge").Should().Be("passed");
        Check(report, "domain").Should().Be("passed");
        Check(report, "holder").Should().Be("passed");
        ((string)report["credentials"]![0]!["format"]!).Should().Be("jwt");
    }

    [Fact]
    public async Task VerifyPresentation_JwtWithOtherNonce_Returns422()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        string jwt = _holder.SignJwt(TestHolder.Presentation(_holder.Did, JsonSerializer.Serialize(_credentials.Jwt)), "replayed-nonce", null);

        (HttpStatusCode status, JsonNode report) = await PostAsync(client, jwt, Challenge);

        status.Should().Be(HttpStatusCode.UnprocessableEntity);
        Check(report, "presentation-proof").Should().Be("failed");
        Check(report, "challenge").Should().Be("failed");
        Message(report, "challenge").Should().Contain("nonce");
    }

    [Fact]
    public async Task VerifyPresentation_JwtWhoseIssIsNotTheSigner_Returns422WithFailedHolder()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using var other = new TestHolder();
        string jwt = _holder.SignJwt(TestHolder.Presentation(null, JsonSerializer.Serialize(_credentials.Jwt)), Challenge, null, issuer: other.Did);

        (HttpStatusCode status, JsonNode report) = await PostAsync(client, jwt, Challenge);

        status.Should().Be(HttpStatusCode.UnprocessableEntity);
        Check(report, "holder").Should().Be("failed");
    }

    [Fact]
    public async Task VerifyPresentation_EnvelopedVpJwt_Returns200()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        string jwt = _holder.SignJwt(TestHolder.Presentation(_holder.Did, _credentials.DataIntegrityText), Challenge, null);
        string enveloped = $$"""{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "EnvelopedVerifiablePresentation", "id": "data:application/vp+jwt,{{jwt}}"}""";

        (HttpStatusCode status, JsonNode report) = await PostAsync(client, enveloped, Challenge);

        (status == HttpStatusCode.OK).Should().BeTrue(report.ToJsonString());
        ((string)report["format"]!).Should().Be("json+enveloped");
    }

    public static TheoryData<string, string?, int, string> BadInputs => new()
    {
        // body, Content-Type, status, problem code
        { """{"verifiablePresentation": {}}""", "application/vp+ld+json", 415, "unsupported-media-type" },
        { """{"verifiablePresentation": """, "application/json", 400, "malformed-body" },
        { "", "application/json", 400, "malformed-body" },
        { "[]", "application/json", 400, "unsupported-request" },
        { """{"presentation": {}}""", "application/json", 400, "unsupported-request" },
        { """{"verifiablePresentation": 7}""", "application/json", 400, "unsupported-request" },
        { """{"verifiablePresentation": "not a jwt"}""", "application/json", 400, "unsupported-request" },
        { """{"verifiablePresentation": {}, "options": "x"}""", "application/json", 400, "unsupported-request" },
        { """{"verifiablePresentation": {}, "options": {"challenge": 5}}""", "application/json", 400, "unsupported-request" },
        { """{"verifiablePresentation": {}, "options": {"domain": ""}}""", "application/json", 400, "unsupported-request" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task VerifyPresentation_UnreadableRequest_ReturnsProblem(string body, string? mediaType, int status, string code)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body(body, mediaType!), Ct);

        await ProblemAsync(response, (HttpStatusCode)status, code);
    }

    [Fact]
    public async Task VerifyPresentation_NotAPresentation_Returns422WithFailedParse()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();

        (HttpStatusCode status, JsonNode report) = await PostAsync(client, _credentials.DataIntegrityText);

        status.Should().Be(HttpStatusCode.UnprocessableEntity);
        Check(report, "parse").Should().Be("failed");
        report["credentials"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task VerifyPresentation_BodyOverJsonLimit_Returns413()
    {
        using var app = new BadgeIssuerApplication(("Verify:MaxJsonBytes", "1024"));
        using HttpClient client = app.CreateClient();
        string vp = _holder.SignDataIntegrity(TestHolder.Presentation(_holder.Did, _credentials.DataIntegrityText));
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body($$"""{"verifiablePresentation": {{vp}}}""", "application/json"), Ct);

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "body-too-large");
    }
}
