using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Issue;
using BadgeIssuer.Core.Baking;
using static BadgeIssuer.Api.Tests.Support.VerifyAssert;

namespace BadgeIssuer.Api.Tests.Verify;

/// <summary>
/// Issue 12 end to end: a credential issued by the service and then revoked, with <c>credentialStatus</c> renamed to its
/// full IRI (the same signed RDF data, so its proof still verifies), is not verified on any input path: raw JSON, the
/// VC-API body, a re-baked PNG and SVG, a multipart upload, and inside a holder-signed presentation. The status step
/// reads what was signed and still says revoked; so does the summary.
/// </summary>
public sealed class SignedViewApiTests : IDisposable
{
    private const string VerifyPath = "/credentials/verify";
    private const string CredentialStatusIri = "https://www.w3.org/2018/credentials#credentialStatus";
    private const string Challenge = "signed-view-challenge";

    private static readonly byte[] s_svg = Encoding.UTF8.GetBytes("""<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>""");

    private readonly TestHolder _holder = new();

    public void Dispose() => _holder.Dispose();

    public static TheoryData<string> Paths => ["raw-json", "vc-api", "png", "svg", "multipart", "presentation"];

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task RevokedCredential_CredentialStatusRenamedToItsFullIri_IsNotVerifiedOnAnyPath(string path)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string revoked = await IssueAndRevokeAsync(client);
        JsonObject renamed = JsonNode.Parse(revoked)!.AsObject();
        JsonNode status = renamed["credentialStatus"]!;
        renamed.Remove("credentialStatus");
        renamed[CredentialStatusIri] = status.DeepClone();
        string rewritten = renamed.ToJsonString();

        // As issued (and revoked), the credential fails its status step with its proof verified: the baseline.
        JsonNode before = await VerifyAsync(client, path, revoked);
        ((bool)before["verified"]!).Should().BeFalse(before.ToJsonString());
        Check(before, "status").Should().Be("failed");

        JsonNode report = await VerifyAsync(client, path, rewritten);

        ((bool)report["verified"]!).Should().BeFalse(report.ToJsonString());
        Check(report, "proof").Should().Be("passed");
        Check(report, "status").Should().Be("failed");
        Message(report, "status").Should().StartWith("revoked");
        ((string)report["credential"]!["status"]!).Should().Be("revoked");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task RevokedCredential_DuplicateEmptyCredentialStatusAppended_IsNotVerifiedOnAnyPath(string path)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string revoked = await IssueAndRevokeAsync(client);

        // A second credentialStatus appended to the JSON text: a reader that keeps the last one sees no status at all.
        string duplicated = revoked.TrimEnd()[..^1] + ", \"credentialStatus\": []}";

        JsonNode report = await VerifyAsync(client, path, duplicated);

        ((bool)report["verified"]!).Should().BeFalse(report.ToJsonString());
        if (path != "presentation")
        {
            Check(report, "parse").Should().Be("failed");
            report["credential"].Should().BeNull();
        }
    }

    /// <summary>Issues a credential through the API, revokes it and returns its JSON (Data Integrity).</summary>
    private static async Task<string> IssueAndRevokeAsync(HttpClient client)
    {
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId);
        string credentialId = (string)award["credentialId"]!;
        string json = await client.GetStringAsync(credentialId + ".json", Ct);
        using HttpResponseMessage revoke = await client.PostAsync(credentialId + "/revoke", null, Ct);
        revoke.StatusCode.Should().Be(HttpStatusCode.OK);
        return json;
    }

    /// <summary>Verifies <paramref name="credential"/> on one input path; for a presentation, returns the credential's own report.</summary>
    private async Task<JsonNode> VerifyAsync(HttpClient client, string path, string credential)
    {
        HttpResponseMessage response;
        switch (path)
        {
            case "raw-json":
                response = await client.PostAsync(VerifyPath, Body(credential, "application/vc+ld+json"), Ct);
                break;
            case "vc-api":
                response = await client.PostAsync(VerifyPath, Body("{\"verifiableCredential\": " + credential + "}", "application/json"), Ct);
                break;
            case "png":
                response = await client.PostAsync(VerifyPath, Body(BakedBadge.Bake(SignedCredentials.Png, credential, BadgeImageFormat.Png), "image/png"), Ct);
                break;
            case "svg":
                response = await client.PostAsync(VerifyPath, Body(BakedBadge.Bake(s_svg, credential, BadgeImageFormat.Svg), "image/svg+xml"), Ct);
                break;
            case "multipart":
            {
                using var form = new MultipartFormDataContent();
                var file = new ByteArrayContent(Encoding.UTF8.GetBytes(credential));
                file.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                form.Add(file, "file", "badge.json");
                response = await client.PostAsync(VerifyPath, form, Ct);
                break;
            }

            default:
            {
                string vp = _holder.SignDataIntegrity(TestHolder.Presentation(_holder.Did, credential), Challenge);
                var request = new JsonObject { ["verifiablePresentation"] = JsonNode.Parse(vp), ["options"] = new JsonObject { ["challenge"] = Challenge } };
                using HttpResponseMessage presented = await client.PostAsync("/presentations/verify", Body(request.ToJsonString(), "application/json"), Ct);
                JsonNode presentation = await ReportAsync(presented);
                presented.StatusCode.Should().NotBe(HttpStatusCode.OK);
                ((bool)presentation["verified"]!).Should().BeFalse(presentation.ToJsonString());
                if (presentation["credentials"] is not JsonArray { Count: 1 } credentials)
                {
                    // Not read as a presentation at all (e.g. a duplicate member): the presentation's own report says why.
                    Check(presentation, "parse").Should().Be("failed");
                    return presentation;
                }

                Check(presentation, "credentials").Should().Be("failed");
                return credentials[0]!;
            }
        }

        using (response)
        {
            // Not verified: 422 with the report, or 400 with it when no credential could be read (VC-API).
            string text = await response.Content.ReadAsStringAsync(Ct);
            (response.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest).Should().BeTrue($"{(int)response.StatusCode}: {text}");
            (response.Content.Headers.ContentType?.MediaType).Should().Be("application/json");
            return JsonNode.Parse(text)!;
        }
    }
}
