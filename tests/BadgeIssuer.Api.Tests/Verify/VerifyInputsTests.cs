using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Issue;
using static BadgeIssuer.Api.Tests.Support.VerifyAssert;

namespace BadgeIssuer.Api.Tests.Verify;

/// <summary>POST /credentials/verify with an EnvelopedVerifiableCredential and with multipart/form-data uploads.</summary>
public sealed class VerifyInputsTests : IDisposable
{
    private const string VerifyPath = "/credentials/verify";

    private readonly SignedCredentials _credentials = new();

    public void Dispose() => _credentials.Dispose();

    private static string Enveloped(string dataUrl) =>
        $$$"""{"verifiableCredential": {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "EnvelopedVerifiableCredential", "id": "{{{dataUrl}}}"}}""";

    [Fact]
    public async Task Verify_EnvelopedVcJwt_ReportsVerified()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body(Enveloped("data:application/vc+jwt," + _credentials.Jwt), "application/json"), Ct);
        JsonNode report = await ReportAsync(response);

        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        ((string)report["format"]!).Should().Contain("enveloped");
        Check(report, "proof").Should().Be("passed");
    }

    [Fact]
    public async Task Verify_EnvelopedVcJwtWithTamperedPayload_ReportsFailedProof()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        string[] parts = _credentials.Jwt.Split('.');
        string payload = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])).Replace(SignedCredentials.AchievementName, "Forged", StringComparison.Ordinal);
        string forged = parts[0] + "." + System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload)) + "." + parts[2];
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body(Enveloped("data:application/vc+jwt," + forged), "application/json"), Ct);
        JsonNode report = await ReportAsync(response);

        ((bool)report["verified"]!).Should().BeFalse();
        Check(report, "proof").Should().Be("failed");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Verify_EnvelopedVcLdJson_DecodesAndReportsVerified(bool base64)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        string dataUrl = base64
            ? "data:application/vc+ld+json;base64," + Convert.ToBase64String(_credentials.DataIntegrity)
            : "data:application/vc+ld+json," + Uri.EscapeDataString(_credentials.DataIntegrityText);
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body(Enveloped(dataUrl), "application/json"), Ct);
        JsonNode report = await ReportAsync(response);

        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        ((string)report["issuer"]!).Should().Be(_credentials.IssuerDid);
    }

    [Theory]
    [InlineData("data:application/vc+sd-jwt,abc")]
    [InlineData("https://example.org/credentials/1")]
    [InlineData("data:application/vc+ld+json,not%20json")]
    [InlineData("data:application/vc+ld+json;base64,%%%")]
    public async Task Verify_EnvelopedWithUnsupportedOrBrokenDataUrl_Returns400(string id)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body(Enveloped(id), "application/json"), Ct);

        await ProblemAsync(response, HttpStatusCode.BadRequest, "unsupported-request");
    }

    public static TheoryData<string, string, string> Uploads => new()
    {
        // file kind, part Content-Type, expected report format
        { "png", "image/png", "png+json" },
        { "svg", "image/svg+xml", "svg+jwt" },
        { "json", "application/json", "json" },
        { "jwt", "application/octet-stream", "jwt" },
        { "png", "application/octet-stream", "png+json" },
    };

    [Theory]
    [MemberData(nameof(Uploads))]
    public async Task Verify_MultipartWithOneFile_ReportsVerified(string kind, string partType, string format)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using var form = new MultipartFormDataContent();
        form.Add(File(FileBytes(kind), partType), "file", "badge." + kind);
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, form, Ct);
        JsonNode report = await ReportAsync(response);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        ((string)report["format"]!).Should().Be(format);
    }

    [Fact]
    public async Task Verify_MultipartAServiceIssuedBadge_ReportsVerified()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId);
        byte[] png = await client.GetByteArrayAsync((string)award["links"]!["png"]!, Ct);

        using var form = new MultipartFormDataContent();
        form.Add(File(png, "image/png"), "badge", "badge.png");
        form.Add(new StringContent("learner@example.org"), "recipient");
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, form, Ct);
        JsonNode report = await ReportAsync(response);

        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        Check(report, "recipient").Should().Be("passed");
    }

    [Fact]
    public async Task Verify_MultipartWithoutFile_Returns400UploadFileCount()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using var form = new MultipartFormDataContent { { new StringContent("learner@example.org"), "recipient" } };
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, form, Ct);

        JsonNode problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "upload-file-count");
        ((int)problem["files"]!).Should().Be(0);
    }

    [Fact]
    public async Task Verify_MultipartWithTwoFiles_Returns400UploadFileCount()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using var form = new MultipartFormDataContent();
        form.Add(File(_credentials.BakedPng(), "image/png"), "file", "a.png");
        form.Add(File(_credentials.DataIntegrity, "application/json"), "file", "b.json");
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, form, Ct);

        JsonNode problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "upload-file-count");
        ((int)problem["files"]!).Should().Be(2);
    }

    [Theory]
    [InlineData("json", "image/png")]
    [InlineData("png", "application/vc+jwt")]
    public async Task Verify_MultipartFileContradictingItsContentType_Returns400(string kind, string partType)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using var form = new MultipartFormDataContent();
        form.Add(File(FileBytes(kind), partType), "file", "badge");
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, form, Ct);

        await ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-body");
    }

    [Fact]
    public async Task Verify_MultipartFileThatIsNoBadge_Returns400()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using var form = new MultipartFormDataContent();
        form.Add(File("GIF89a"u8.ToArray(), "image/gif"), "file", "badge.gif");
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, form, Ct);

        await ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-body");
    }

    [Fact]
    public async Task Verify_MultipartJsonFileOverJsonLimit_Returns413()
    {
        using var app = new BadgeIssuerApplication(("Verify:MaxJsonBytes", "1024"));
        using HttpClient client = app.CreateClient();
        using var form = new MultipartFormDataContent();
        form.Add(File(_credentials.DataIntegrity, "application/json"), "file", "badge.json");
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, form, Ct);

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "body-too-large");
    }

    [Fact]
    public async Task Verify_MultipartWithoutBoundary_Returns400()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body("--x\r\n\r\n--x--", "multipart/form-data"), Ct);

        await ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-body");
    }

    private byte[] FileBytes(string kind) => kind switch
    {
        "png" => _credentials.BakedPng(),
        "svg" => _credentials.BakedSvg(),
        "json" => _credentials.DataIntegrity,
        _ => Encoding.ASCII.GetBytes(_credentials.Jwt),
    };

    private static ByteArrayContent File(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }
}
