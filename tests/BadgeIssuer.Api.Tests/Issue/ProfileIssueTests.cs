using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BadgeIssuer.Api.Tests.Issue;

/// <summary>
/// <c>POST /credentials/issue</c> for credentials of any type: the VC Data Model rules of the credential's version and
/// the rules of the profile its type claims run before signing, and every violation comes back with its JSON pointer;
/// one proof is returned as an object.
/// </summary>
public sealed class ProfileIssueTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject PlainVc() => new()
    {
        ["@context"] = new JsonArray("https://www.w3.org/ns/credentials/v2"),
        ["type"] = new JsonArray("VerifiableCredential"),
        ["issuer"] = BadgeIssuerApplication.IssuerId,
        ["validFrom"] = "2026-10-01T00:00:00Z",
        ["credentialSubject"] = new JsonObject { ["id"] = "did:example:learner", ["name"] = "Ada" },
    };

    private static async Task<JsonNode> IssueAsync(HttpClient client, JsonNode credential)
    {
        using HttpResponseMessage response = await client.PostAsJsonAsync("/credentials/issue", new { credential }, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == HttpStatusCode.Created).Should().BeTrue(text);
        return JsonNode.Parse(text)!["verifiableCredential"]!;
    }

    private static async Task<JsonNode> ProblemAsync(HttpClient client, JsonNode credential, HttpStatusCode status, string code)
    {
        using HttpResponseMessage response = await client.PostAsJsonAsync("/credentials/issue", new { credential }, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == status).Should().BeTrue(text);
        JsonNode problem = JsonNode.Parse(text)!;
        ((string)problem["type"]!).Should().Be("urn:badgeissuer:problem:" + code);
        return problem;
    }

    private static List<string> Paths(JsonNode problem) => [.. problem["errors"]!.AsArray().Select(e => (string)e!["path"]!)];

    private static async Task<JsonNode> VerifyAsync(HttpClient client, JsonNode credential)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(credential.ToJsonString()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vc+ld+json");
        using HttpResponseMessage response = await client.PostAsync("/credentials/verify", content, Ct);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
    }

    [Fact]
    public async Task Issue_PlainVc_SignsWithOneProofObjectAndVerifiesAsProfileVc()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();

        JsonNode vc = await IssueAsync(client, PlainVc());

        vc["proof"]!.GetValueKind().Should().Be(JsonValueKind.Object);
        JsonNode report = await VerifyAsync(client, vc);
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        ((string)report["profile"]!).Should().Be("vc");
    }

    [Fact]
    public async Task Issue_CredentialBreakingVcDataModelRules_Returns422WithEveryViolationAndItsPointer()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        JsonObject credential = PlainVc();
        credential["credentialSubject"] = new JsonObject();
        credential["validFrom"] = "2026-10-01T00:00:00";
        credential["evidence"] = new JsonArray(new JsonObject { ["id"] = "https://lms.example.org/submissions/1" });
        credential["credentialSchema"] = new JsonObject { ["type"] = "JsonSchema" };

        JsonNode problem = await ProblemAsync(client, credential, HttpStatusCode.UnprocessableEntity, "invalid-credential");

        string.Join(", ", Paths(problem)).Should().Be("/credential/credentialSubject, /credential/validFrom, /credential/credentialSchema/id, /credential/evidence/0/type");
        ((string)problem["detail"]!).Should().Contain("4 rule(s)").And.Contain("VC Data Model");
        ((string)problem["errors"]![0]!["message"]!).Should().Contain("VC 2.0 §4.8").And.EndWith("[VCDM-SUBJECT]");
    }

    [Fact]
    public async Task Issue_RequestRefusedForItsShape_StillListsEveryRuleTheCredentialBreaks()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        JsonObject credential = PlainVc();
        credential.Remove("issuer");
        credential["termsOfUse"] = new JsonObject { ["id"] = "https://example.org/terms" };

        JsonNode problem = await ProblemAsync(client, credential, HttpStatusCode.BadRequest, "invalid-request");

        Paths(problem).Should().Equal(["/credential/issuer", "/credential/termsOfUse/type"]);
    }

    [Fact]
    public async Task Issue_Endorsement_IsCheckedAgainstTheEndorsementSchema()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        JsonObject endorsement = TestDocuments.Endorsement(BadgeIssuerApplication.IssuerId, "https://example.org/credentials/1");
        endorsement.Remove("id");
        JsonObject anonymous = endorsement.DeepClone().AsObject();
        anonymous["credentialSubject"]!.AsObject().Remove("id");

        JsonNode issued = await IssueAsync(client, endorsement);
        JsonNode problem = await ProblemAsync(client, anonymous, HttpStatusCode.UnprocessableEntity, "invalid-credential");

        JsonNode report = await VerifyAsync(client, issued);
        ((string)report["profile"]!).Should().Be("endorsement");
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        Paths(problem).Should().Contain("/credential/credentialSubject/id");
    }

    [Fact]
    public async Task Issue_ClrEmbeddingAnAward_SignsAndVerifiesAsProfileClr()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId, extra: new { achievementId, recipient = new { id = "did:example:learner" } });
        JsonNode download = JsonNode.Parse(await client.GetStringAsync((string)award["links"]!["json"]!, Ct))!;

        JsonNode clr = await IssueAsync(client, Clr(award["credential"]!));

        // The award, its download and the CLR each carry one proof, as an object.
        award["credential"]!["proof"]!.GetValueKind().Should().Be(JsonValueKind.Object);
        download["proof"]!.GetValueKind().Should().Be(JsonValueKind.Object);
        clr["proof"]!.GetValueKind().Should().Be(JsonValueKind.Object);
        JsonNode report = await VerifyAsync(client, clr);
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        ((string)report["profile"]!).Should().Be("clr");
        ((string)report["embeddedCredentials"]![0]!["profile"]!).Should().Be("ob");
    }

    [Fact]
    public async Task Issue_ClrBreakingClrRules_Returns422WithThePointers()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId, extra: new { achievementId, recipient = new { id = "did:example:learner" } });
        JsonNode unsigned = award["credential"]!.DeepClone();
        unsigned.AsObject().Remove("proof");
        JsonObject clr = Clr(unsigned);
        clr.Remove("name");
        clr["credentialSubject"]!["association"] = new JsonArray(new JsonObject { ["type"] = "Association", ["associationType"] = "isCousinOf", ["sourceId"] = "urn:uuid:1", ["targetId"] = "urn:uuid:2" });

        JsonNode problem = await ProblemAsync(client, clr, HttpStatusCode.UnprocessableEntity, "invalid-credential");

        Paths(problem).Should().Contain(["/credential/name", "/credential/credentialSubject/verifiableCredential/0/proof", "/credential/credentialSubject/association/0/associationType"]);
        ((string)problem["detail"]!).Should().Contain("CLR 2.0");
    }

    private static JsonObject Clr(JsonNode embedded) => new()
    {
        ["@context"] = new JsonArray("https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"),
        ["type"] = new JsonArray("VerifiableCredential", "ClrCredential"),
        ["issuer"] = new JsonObject { ["id"] = BadgeIssuerApplication.IssuerId, ["type"] = new JsonArray("Profile"), ["name"] = "BadgeIssuer Development Issuer" },
        ["validFrom"] = "2026-10-01T00:00:00Z",
        ["name"] = "Transcript",
        ["credentialSubject"] = new JsonObject
        {
            ["id"] = "did:example:learner",
            ["type"] = new JsonArray("ClrSubject"),
            ["verifiableCredential"] = new JsonArray(embedded.DeepClone()),
        },
    };
}
