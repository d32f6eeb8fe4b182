using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Support;

namespace BadgeIssuer.Api.Tests.Issue;

/// <summary>
/// A number jsonld.js canonicalizes differently from the specification (<c>1e-7</c>: "0" there, "1.0E-7" here) is
/// refused before signing, with its path and what to send instead, in every format with a proof; a VC-JWT alone signs
/// bytes and takes it; a number both read alike (<c>1.5e-7</c>) is signed.
/// </summary>
public sealed class PortableNumbersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("di")]
    [InlineData("both")]
    public async Task VcApiIssue_NumberJsonLdJsReadsAsZero_RefusedWithItsPath(string format)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        JsonObject credential = IssuingApiTests.SampleCredential();
        credential["credentialSubject"]!["creditsEarned"] = 1e-7;

        using HttpResponseMessage response = await client.PostAsJsonAsync("/credentials/issue", new { credential, options = new { format } }, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, text);
        JsonNode problem = JsonNode.Parse(text)!;
        ((string)problem["type"]!).Should().Be("urn:badgeissuer:problem:invalid-credential");
        ((string)problem["detail"]!).Should().Contain("jsonld.js").And.Contain("1e-7");
        JsonNode error = problem["errors"]!.AsArray().Should().ContainSingle().Subject!;
        ((string)error["path"]!).Should().Be("/credential/credentialSubject/creditsEarned");
        ((string)error["message"]!).Should().Contain("0 in jsonld.js").And.Contain("1.0E-7 in the specification").And.Contain("two significant digits");
    }

    [Theory]
    [InlineData(1.5e-7, "di")]
    [InlineData(1e-7, "jwt")]
    public async Task VcApiIssue_NumberBothProcessorsReadAlike_OrAJwtAlone_IsSignedAndVerifies(double credits, string format)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        JsonObject credential = IssuingApiTests.SampleCredential();
        credential["credentialSubject"]!["creditsEarned"] = credits;

        using HttpResponseMessage response = await client.PostAsJsonAsync("/credentials/issue", new { credential, options = new { format } }, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.Should().Be(HttpStatusCode.Created, text);
        JsonNode signed = JsonNode.Parse(text)!["verifiableCredential"]!;
        using HttpResponseMessage verify = await client.PostAsJsonAsync("/credentials/verify", new { verifiableCredential = signed }, Ct);
        string report = await verify.Content.ReadAsStringAsync(Ct);
        verify.StatusCode.Should().Be(HttpStatusCode.OK, report);
    }
}

/// <summary>An achievement whose numbers jsonld.js reads differently is refused when it is created, not at every award.</summary>
public sealed class PortableAchievementNumbersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateAchievement_CreditsAvailableJsonLdJsReadsAsZero_RefusedWithItsPath()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();

        using HttpResponseMessage response = await client.PostAsJsonAsync("/achievements", new { name = "Tiny", description = "d", criteria = new { narrative = "n" }, creditsAvailable = 2e-7 }, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, text);
        JsonNode problem = JsonNode.Parse(text)!;
        ((string)problem["type"]!).Should().Be("urn:badgeissuer:problem:invalid-achievement");
        JsonNode error = problem["errors"]!.AsArray().Should().ContainSingle().Subject!;
        ((string)error["path"]!).Should().Be("/creditsAvailable");
        ((string)error["message"]!).Should().Contain("0 in jsonld.js").And.Contain("2.0E-7 in the specification");

        string id = await IssuingApiTests.CreateAchievementAsync(client, new { name = "Small", description = "d", criteria = new { narrative = "n" }, creditsAvailable = 2.5e-7 });
        JsonNode award = await IssuingApiTests.AwardAsync(client, id, "small@example.org");
        ((double)award["credential"]!["credentialSubject"]!["achievement"]!["creditsAvailable"]!).Should().Be(2.5e-7);
    }
}
