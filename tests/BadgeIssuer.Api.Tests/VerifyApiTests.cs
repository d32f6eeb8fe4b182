using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace BadgeIssuer.Api.Tests;

public sealed class VerifyApiTests : IDisposable
{
    private const string VerifyPath = "/credentials/verify";

    private readonly TestCredentials _credentials = new();

    public void Dispose() => _credentials.Dispose();

    [Theory]
    [InlineData("application/vc+ld+json")]
    [InlineData("application/ld+json")]
    public async Task Verify_RawDataIntegrityCredential_ReportsVerified(string mediaType)
    {
        using var app = new BadgeIssuerApplication();
        using JsonDocument report = await PostReportAsync(app, Body(_credentials.DataIntegrity, mediaType));

        AssertVerified(report, "json");
        Assert.Equal(_credentials.IssuerDid, report.RootElement.GetProperty("issuer").GetString());
    }

    [Theory]
    [InlineData("application/vc+jwt")]
    [InlineData("application/jwt")]
    [InlineData("text/plain")]
    public async Task Verify_RawJwt_ReportsVerified(string mediaType)
    {
        using var app = new BadgeIssuerApplication();
        using JsonDocument report = await PostReportAsync(app, Body(Encoding.UTF8.GetBytes(_credentials.Jwt + "\n"), mediaType));

        AssertVerified(report, "jwt");
    }

    [Fact]
    public async Task Verify_VcApiRequestWithCredentialObject_ReportsVerified()
    {
        using var app = new BadgeIssuerApplication();
        string request = $$$"""{"verifiableCredential": {{{_credentials.DataIntegrityText}}}}""";
        using JsonDocument report = await PostReportAsync(app, Body(request, "application/json"));

        AssertVerified(report, "json");
    }

    [Fact]
    public async Task Verify_VcApiRequestWithJwtString_ReportsVerified()
    {
        using var app = new BadgeIssuerApplication();
        string request = $$$"""{"verifiableCredential": "{{{_credentials.Jwt}}}", "options": {}}""";
        using JsonDocument report = await PostReportAsync(app, Body(request, "application/json"));

        AssertVerified(report, "jwt");
    }

    [Fact]
    public async Task Verify_BakedPng_ReportsVerified()
    {
        using var app = new BadgeIssuerApplication();
        using JsonDocument report = await PostReportAsync(app, Body(_credentials.BakedPng(), "image/png"));

        AssertVerified(report, "png+json");
    }

    [Fact]
    public async Task Verify_Report_IsWrittenWithoutHtmlEscaping()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body(_credentials.BakedPng(), "image/png"), TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Contains("\"format\":\"png+json\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_BakedSvg_ReportsVerified()
    {
        using var app = new BadgeIssuerApplication();
        using JsonDocument report = await PostReportAsync(app, Body(_credentials.BakedSvg(), "image/svg+xml"));

        AssertVerified(report, "svg+jwt");
    }

    [Fact]
    public async Task Verify_TamperedCredential_ReportsNotVerifiedWithFailedProof()
    {
        using var app = new BadgeIssuerApplication();
        using JsonDocument report = await PostReportAsync(app, Body(_credentials.Tampered, "application/vc+ld+json"));

        Assert.False(report.RootElement.GetProperty("verified").GetBoolean());
        Assert.Contains(Checks(report), c => c.Name.StartsWith("proof", StringComparison.Ordinal) && c.Status == "failed");
    }

    [Theory]
    [InlineData(TestCredentials.LearnerId, "passed")]
    [InlineData("someone.else@example.org", "failed")]
    public async Task Verify_VcApiRecipientOption_ChecksTheSubject(string recipient, string expected)
    {
        using var app = new BadgeIssuerApplication();
        string request = $$$"""{"verifiableCredential": {{{_credentials.DataIntegrityText}}}, "options": {"recipient": "{{{recipient}}}"}}""";
        using JsonDocument report = await PostReportAsync(app, Body(request, "application/json"));

        Assert.Equal(expected == "passed", report.RootElement.GetProperty("verified").GetBoolean());
        Assert.Contains(Checks(report), c => c.Name == "recipient" && c.Status == expected);
    }

    public static TheoryData<string, string?, int, string> BadInputs => new()
    {
        // body, Content-Type (null: none), status, problem code
        { "{}", null, 415, "unsupported-media-type" },
        { "<credential/>", "application/xml", 415, "unsupported-media-type" },
        { "", "application/json", 400, "malformed-body" },
        { """{"verifiableCredential": """, "application/json", 400, "malformed-body" },
        { "[]", "application/json", 400, "unsupported-request" },
        { """{"credential": {}}""", "application/json", 400, "unsupported-request" },
        { """{"verifiableCredential": 42}""", "application/json", 400, "unsupported-request" },
        { """{"verifiableCredential": "not a jwt"}""", "application/json", 400, "unsupported-request" },
        { """{"verifiableCredential": {}, "options": []}""", "application/json", 400, "unsupported-request" },
        { """{"verifiableCredential": {}, "options": {"recipient": 5}}""", "application/json", 400, "unsupported-request" },
        { "not json", "application/vc+ld+json", 400, "malformed-body" },
        { "[1, 2]", "application/ld+json", 400, "malformed-body" },
        { "hello", "application/vc+jwt", 400, "malformed-body" },
        { "a.b", "text/plain", 400, "malformed-body" },
        { "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "image/png", 400, "malformed-body" },
        { "GIF89a", "image/svg+xml", 400, "malformed-body" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Verify_BadInput_ReturnsProblem(string body, string? mediaType, int status, string code)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (mediaType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        }

        using HttpResponseMessage response = await client.PostAsync(VerifyPath, content, TestContext.Current.CancellationToken);

        await AssertProblemAsync(response, status, code);
    }

    [Fact]
    public async Task Verify_JsonBodyOverLimit_Returns413()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        byte[] body = new byte[(1024 * 1024) + 1];
        body.AsSpan().Fill((byte)' ');
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body(body, "application/json"), TestContext.Current.CancellationToken);

        await AssertProblemAsync(response, 413, "body-too-large");
    }

    [Fact]
    public async Task Verify_ChunkedImageOverConfiguredLimit_Returns413()
    {
        using var app = new BadgeIssuerApplication(("Verify:MaxImageBytes", "2097152"));
        using HttpClient client = app.CreateClient();
        byte[] image = new byte[(2 * 1024 * 1024) + 1];
        TestCredentials.Png.CopyTo(image, 0);

        // No Content-Length: the limit is enforced while reading.
        using var content = new StreamContent(new UnknownLengthStream(image));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, content, TestContext.Current.CancellationToken);

        await AssertProblemAsync(response, 413, "body-too-large");
    }

    [Fact]
    public async Task Verify_ImageUnderImageLimitButOverJsonLimit_IsAccepted()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        byte[] baked = _credentials.BakedPng();

        // A PNG may carry trailing bytes after IEND; the credential is still found and the body is over 1 MiB.
        byte[] image = new byte[baked.Length + (1024 * 1024)];
        baked.CopyTo(image, 0);
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body(image, "image/png"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task UnknownPath_ReturnsProblem()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.GetAsync("/no-such-thing", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task HealthAndReadiness_AfterStart_AnswerOk()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();

        Assert.Equal("ok", await client.GetStringAsync("/healthz", TestContext.Current.CancellationToken));
        Assert.Equal("ready", await client.GetStringAsync("/readyz", TestContext.Current.CancellationToken));
    }

    private static ByteArrayContent Body(byte[] body, string mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static ByteArrayContent Body(string body, string mediaType) => Body(Encoding.UTF8.GetBytes(body), mediaType);

    private static async Task<JsonDocument> PostReportAsync(BadgeIssuerApplication app, HttpContent content)
    {
        using HttpClient client = app.CreateClient();
        using (content)
        {
            using HttpResponseMessage response = await client.PostAsync(VerifyPath, content, TestContext.Current.CancellationToken);
            string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            return JsonDocument.Parse(text);
        }
    }

    private static void AssertVerified(JsonDocument report, string format)
    {
        Assert.True(report.RootElement.GetProperty("verified").GetBoolean(), report.RootElement.GetRawText());
        Assert.Equal(format, report.RootElement.GetProperty("format").GetString());
        Assert.Contains(Checks(report), c => c.Name == "issuer-key" && c.Status == "passed");
    }

    private static List<(string Name, string Status, string Message)> Checks(JsonDocument report)
        => [.. report.RootElement.GetProperty("checks").EnumerateArray().Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("status").GetString()!, c.GetProperty("message").GetString()!))];

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string code)
    {
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True((int)response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument problem = JsonDocument.Parse(text);
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("urn:badgeissuer:problem:" + code, problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    // Hides its length so HttpClient sends the body chunked.
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
