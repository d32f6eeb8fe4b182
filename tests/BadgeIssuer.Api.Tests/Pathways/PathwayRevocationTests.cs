using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static BadgeIssuer.Api.Tests.Pathways.PathwayKit;

namespace BadgeIssuer.Api.Tests.Pathways;

/// <summary>Withdrawing a part: the composite stays, the answer and the audit log say so, its pathway status shows which parts no longer count.</summary>
public sealed class PathwayRevocationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(string[] Parts, string[] PartCredentials, string Composite)> CompletedAsync(HttpClient client, string rule = "allOf", int? n = null)
    {
        (string[] parts, _) = await ThreeBadgesAndACertificateAsync(client, rule, n);
        var credentials = new List<string>();
        string? composite = null;
        foreach (string part in parts)
        {
            JsonNode award = await AwardAsync(client, part, extra: new { achievementId = part, recipient = new { email = "ada@example.org" }, status = new[] { part == parts[1] ? "suspension" : "revocation" } });
            credentials.Add((string)award["credentialId"]!);
            composite ??= (string?)Composites(award).FirstOrDefault()?["credentialId"];
        }

        return (parts, [.. credentials], composite!);
    }

    [Fact]
    public async Task RevokingAPart_ReportsTheComposite_AndLeavesItValid()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string[] partCredentials, string composite) = await CompletedAsync(client);

        using HttpResponseMessage response = await client.PostAsJsonAsync(partCredentials[0] + "/revoke", new { reason = "exam irregularity" }, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        JsonNode answer = JsonNode.Parse(text)!;
        JsonNode reported = answer["composites"]!.AsArray().Should().ContainSingle().Subject!;
        ((string)reported["credentialId"]!).Should().Be(composite);
        ((int)reported["validParts"]!).Should().Be(2);
        ((int)reported["requiredParts"]!).Should().Be(3);
        ((bool)reported["stillSatisfied"]!).Should().BeFalse();
        ((string)reported["pathway"]!).Should().Be(composite + "/pathway");
        ((string)answer["notice"]!).Should().StartWith("This credential counted toward 1 composite credential, which stays valid: revoking a part does not revoke what it counted toward.")
            .And.Contain($"{composite} has 2 valid parts of the 3 its pathway requires (no longer enough).");

        // The composite itself still verifies and is listed active.
        string compositeJson = await client.GetStringAsync(composite + ".json", Ct);
        JsonNode report = await VerifyAsync(client, compositeJson);
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        JsonNode listed = (await GetJsonAsync(client, "/credentials?status=active&achievementId=" + Uri.EscapeDataString((string)JsonNode.Parse(compositeJson)!["credentialSubject"]!["achievement"]!["id"]!)))["items"]!.AsArray().Single()!;
        ((string)listed["id"]!).Should().Be(composite);

        // Its pathway status names the revoked part (public, like the credential).
        JsonNode status = await GetJsonAsync(app.CreateClient(), composite + "/pathway");
        status["parts"]!.AsArray().Select(p => (string)p!["state"]!).Should().Equal(["revoked", "valid", "valid"]);
        ((int)status["validParts"]!).Should().Be(2);
        ((bool)status["satisfied"]!).Should().BeFalse();
        ((string)status["summary"]!).Should().Contain($"{partCredentials[0]} ({parts[0]}) is revoked");

        JsonNode entry = (await GetJsonAsync(client, "/issuers/default/audit"))["entries"]!.AsArray().Single(e => (string)e!["action"]! == "pathway.part-invalidated")!;
        ((string)entry["target"]!).Should().Be(composite);
        ((string)entry["details"]!).Should().Contain(partCredentials[0]).And.Contain("\"statusPurpose\":\"revocation\"");

        // Revoking it again changes nothing and records nothing more, but still reports.
        using HttpResponseMessage again = await client.PostAsync(partCredentials[0] + "/revoke", null, Ct);
        JsonNode.Parse(await again.Content.ReadAsStringAsync(Ct))!["composites"]!.AsArray().Should().ContainSingle();
        (await GetJsonAsync(client, "/issuers/default/audit"))["entries"]!.AsArray().Count(e => (string)e!["action"]! == "pathway.part-invalidated").Should().Be(1);
    }

    [Fact]
    public async Task SuspendingAPart_OfAnNOfComposite_ReportsItStillSatisfied_AndReinstatingReportsNothing()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (_, string[] partCredentials, string composite) = await CompletedAsync(client, "nOf", 2);
        // nOf 2: the composite came with the second part and counted the first two.
        JsonNode status = await GetJsonAsync(client, composite + "/pathway");
        status["parts"]!.AsArray().Select(p => (string)p!["credentialId"]!).Should().Equal(partCredentials[..2]);

        using HttpResponseMessage suspended = await client.PostAsJsonAsync("/credentials/status", new
        {
            credentialId = partCredentials[1],
            credentialStatus = new[] { new { type = "BitstringStatusListEntry", statusPurpose = "suspension", status = true } },
        }, Ct);
        JsonNode answer = JsonNode.Parse(await suspended.Content.ReadAsStringAsync(Ct))!;
        ((bool)answer["composites"]![0]!["stillSatisfied"]!).Should().BeFalse("it counted two parts and needs two");
        ((string)answer["notice"]!).Should().Contain("suspending a part does not suspend what it counted toward.");
        (await GetJsonAsync(client, composite + "/pathway"))["parts"]!.AsArray().Select(p => (string)p!["state"]!).Should().Equal(["valid", "suspended"]);

        using HttpResponseMessage reinstated = await client.PostAsync(partCredentials[1] + "/reinstate", null, Ct);
        string reinstatedText = await reinstated.Content.ReadAsStringAsync(Ct);
        reinstatedText.Should().NotContain("composites");
        ((bool)(await GetJsonAsync(client, composite + "/pathway"))["satisfied"]!).Should().BeTrue();
    }

    [Fact]
    public async Task RevokingACredentialThatCountedNowhere_AnswersAsBefore()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string plain = await CreateAsync(client, "Plain");
        string credentialId = (string)(await AwardAsync(client, plain))["credentialId"]!;

        using HttpResponseMessage response = await client.PostAsync(credentialId + "/revoke", null, Ct);

        string text = await response.Content.ReadAsStringAsync(Ct);
        text.Should().NotContain("composites").And.NotContain("notice");
        await GetJsonAsync(client, credentialId + "/pathway", HttpStatusCode.NotFound);
        await GetJsonAsync(client, BadgeIssuerApplication.BaseUrl + "/credentials/unknown/pathway", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PathwayStatus_ShowsAPartPastItsValidUntilAsExpired()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, _) = await ThreeBadgesAndACertificateAsync(client);
        DateTimeOffset now = BadgeIssuerApplication.Now;
        string expiring = (string)(await AwardAsync(client, parts[0], extra: new { achievementId = parts[0], recipient = new { email = "ada@example.org" }, validUntil = now.AddDays(10) }))["credentialId"]!;
        await AwardAsync(client, parts[1]);
        string composite = (string)Composites(await AwardAsync(client, parts[2]))[0]!["credentialId"]!;

        app.Clock.Now = now.AddDays(11);

        JsonNode status = await GetJsonAsync(client, composite + "/pathway");
        JsonNode part = status["parts"]![0]!;
        ((string)part["credentialId"]!).Should().Be(expiring);
        ((string)part["state"]!).Should().Be("expired");
        ((DateTimeOffset)part["validUntil"]!).Should().Be(now.AddDays(10));
        ((bool)status["satisfied"]!).Should().BeFalse();
    }
}
