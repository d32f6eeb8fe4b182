using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BadgeIssuer.Api.Tests.Interop;

namespace BadgeIssuer.Api.Tests.Verify;

public sealed class VerifyApiTests : IDisposable
{
    private const string VerifyPath = "/credentials/verify";

    private readonly SignedCredentials _credentials = new();

    public void Dispose() => _credentials.Dispose();

    [Theory]
    [InlineData("application/vc+ld+json")]
    [InlineData("application/ld+json")]
    public async Task Verify_RawDataIntegrityCredential_ReportsVerified(string mediaType)
    {
        using var app = new BadgeIssuerApplication();
        using JsonDocument report = await PostReportAsync(app, Body(_credentials.DataIntegrity, mediaType));

        AssertVerified(report, "json");
        report.RootElement.GetProperty("issuer").GetString().Should().Be(_credentials.IssuerDid);
    }

    [Theory]
    [InlineData("bbs-2023", "Verify:Cryptosuites: Unknown cryptosuite 'bbs-2023' (known: eddsa-rdfc-2022, ecdsa-rdfc-2019, Ed25519Signature2018).")]
    [InlineData("eddsa-rdfc-2022", "Verify:Cryptosuites: The cryptosuite 'eddsa-rdfc-2022' is listed twice.")]
    public void Start_CryptosuitesUnknownOrTwice_FailsValidation(string second, string message)
    {
        using var app = new BadgeIssuerApplication(("Verify:Cryptosuites:0", "eddsa-rdfc-2022"), ("Verify:Cryptosuites:1", second));

        Exception error = FluentActions.Invoking(() => app.CreateClient()).Should().Throw<Exception>().Which;
        error.ToString().Should().Contain(message);
    }

    [Fact]
    public async Task Verify_OnlyConfiguredSuites_StillVerifyTheServicesOwnCredentials()
    {
        using var app = new BadgeIssuerApplication(("Verify:Cryptosuites:0", "eddsa-rdfc-2022"));
        using JsonDocument report = await PostReportAsync(app, Body(_credentials.DataIntegrity, "application/vc+ld+json"));

        AssertVerified(report, "json");
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

        text.Should().Contain("\"format\":\"png+json\"");
    }

    [Fact]
    public async Task Verify_BakedSvg_ReportsVerified()
    {
        using var app = new BadgeIssuerApplication();
        using JsonDocument report = await PostReportAsync(app, Body(_credentials.BakedSvg(), "image/svg+xml"));

        AssertVerified(report, "svg+jwt");
    }

    [Fact]
    public async Task Verify_TamperedCredential_Returns422WithFailedProof()
    {
        using var app = new BadgeIssuerApplication();
        using JsonDocument report = await PostReportAsync(app, Body(_credentials.Tampered, "application/vc+ld+json"), HttpStatusCode.UnprocessableEntity);

        report.RootElement.GetProperty("verified").GetBoolean().Should().BeFalse();
        Checks(report).Should().Contain(c => c.Name.StartsWith("proof", StringComparison.Ordinal) && c.Status == "failed");
        report.RootElement.GetProperty("errors").EnumerateArray().Should().Contain(e => e.GetString()!.Contains("SignatureInvalid", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(SignedCredentials.LearnerId, "passed", HttpStatusCode.OK)]
    [InlineData("someone.else@example.org", "failed", HttpStatusCode.UnprocessableEntity)]
    public async Task Verify_VcApiRecipientOption_ChecksTheSubject(string recipient, string expected, HttpStatusCode status)
    {
        using var app = new BadgeIssuerApplication();
        string request = $$$"""{"verifiableCredential": {{{_credentials.DataIntegrityText}}}, "options": {"recipient": "{{{recipient}}}"}}""";
        using JsonDocument report = await PostReportAsync(app, Body(request, "application/json"), status);

        report.RootElement.GetProperty("verified").GetBoolean().Should().Be(expected == "passed");
        Checks(report).Should().Contain(c => c.Name == "recipient" && c.Status == expected);
    }

    [Fact]
    public async Task Verify_VerifiedCredential_ReportHasWarningsErrorsAndDisplaySummary()
    {
        using var app = new BadgeIssuerApplication();
        using JsonDocument report = await PostReportAsync(app, Body(_credentials.DataIntegrity, "application/vc+ld+json"));
        JsonElement root = report.RootElement;

        root.GetProperty("errors").EnumerateArray().Should().BeEmpty();
        root.GetProperty("warnings").EnumerateArray().Should().Contain(w => w.GetString()!.Contains("not on this verifier's list of known issuers", StringComparison.Ordinal));
        JsonElement credential = root.GetProperty("credential");
        credential.GetProperty("issuer").GetProperty("name").GetString().Should().Be("Test issuer");
        credential.GetProperty("achievement").GetProperty("name").GetString().Should().Be(SignedCredentials.AchievementName);
        credential.GetProperty("validFrom").GetString().Should().Be("2026-01-01T00:00:00Z");
        credential.GetProperty("status").GetString().Should().Be("none");
    }

    [Fact]
    public async Task Verify_SpecExampleWithFragmentKey_Returns422UnlessTheServerTrustsFragmentKeys()
    {
        byte[] example = await File.ReadAllBytesAsync(Path.Combine(NodeInterop.RepoRoot, "tests", "BadgeIssuer.Core.Tests", "TestData", "vectors", "1edtech-validator-fixtures", "simple.json"), TestContext.Current.CancellationToken);

        using (var strict = new BadgeIssuerApplication())
        {
            using JsonDocument report = await PostReportAsync(strict, Body(example, "application/vc+ld+json"), HttpStatusCode.UnprocessableEntity);
            // verified:false names its reason: the issuer-key step fails (before issue 13 it was a warning and errors was empty).
            Checks(report).Should().Contain(c => c.Name == "issuer-key" && c.Status == "failed" && c.Message.StartsWith("issuer key not authenticated", StringComparison.Ordinal));
            report.RootElement.GetProperty("errors").EnumerateArray().Should().Contain(e => e.GetString()!.StartsWith("issuer key not authenticated", StringComparison.Ordinal));
            report.RootElement.GetProperty("verdict").GetString().Should().StartWith("Not valid: the signature verifies, but its key is not authenticated");
        }

        using var trusting = new BadgeIssuerApplication(("Verify:TrustVerificationMethodFragment", "true"));
        using JsonDocument trusted = await PostReportAsync(trusting, Body(example, "application/vc+ld+json"));
        trusted.RootElement.GetProperty("verified").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Verify_PerRequestTrustOption_OverridesTheServerPolicyEitherWay()
    {
        byte[] example = await File.ReadAllBytesAsync(Path.Combine(NodeInterop.RepoRoot, "tests", "BadgeIssuer.Core.Tests", "TestData", "vectors", "1edtech-validator-fixtures", "simple.json"), TestContext.Current.CancellationToken);
        string text = Encoding.UTF8.GetString(example);

        using (var strict = new BadgeIssuerApplication())
        {
            // VC-API options, the query string (raw body) and a form field each turn the policy on for one request.
            using JsonDocument viaOptions = await PostReportAsync(strict, Body($$$"""{"verifiableCredential": {{{text}}}, "options": {"trustVerificationMethodFragment": true}}""", "application/json"));
            viaOptions.RootElement.GetProperty("verified").GetBoolean().Should().BeTrue();
            Checks(viaOptions).Should().Contain(c => c.Name == "issuer-key" && c.Status == "warning");

            using JsonDocument viaQuery = await PostReportAsync(strict, Body(example, "application/vc+ld+json"), HttpStatusCode.OK, "?trustVerificationMethodFragment=true");
            viaQuery.RootElement.GetProperty("verified").GetBoolean().Should().BeTrue();

            var form = new MultipartFormDataContent();
            form.Add(Body(example, "application/vc+ld+json"), "file", "badge.json");
            form.Add(new StringContent("true"), "trustVerificationMethodFragment");
            using JsonDocument viaForm = await PostReportAsync(strict, form);
            viaForm.RootElement.GetProperty("verified").GetBoolean().Should().BeTrue();

            // The next request without the option is back to the server policy.
            using JsonDocument after = await PostReportAsync(strict, Body(example, "application/vc+ld+json"), HttpStatusCode.UnprocessableEntity);
            after.RootElement.GetProperty("verified").GetBoolean().Should().BeFalse();
        }

        using var trusting = new BadgeIssuerApplication(("Verify:TrustVerificationMethodFragment", "true"));
        using JsonDocument refused = await PostReportAsync(trusting, Body($$$"""{"verifiableCredential": {{{text}}}, "options": {"trustVerificationMethodFragment": false}}""", "application/json"), HttpStatusCode.UnprocessableEntity);
        refused.RootElement.GetProperty("verified").GetBoolean().Should().BeFalse();
    }

    [Theory]
    [InlineData("application/json", "{\"verifiableCredential\": {}, \"options\": {\"trustVerificationMethodFragment\": \"yes\"}}", "")]
    [InlineData("application/vc+ld+json", "{}", "?trustVerificationMethodFragment=maybe")]
    [InlineData("application/vc+ld+json", "{}", "?trustVerificationMethodFragment=true&trustVerificationMethodFragment=false")]
    [InlineData("application/json", "{\"verifiableCredential\": {}, \"options\": {\"trustVerificationMethodFragment\": true}}", "?trustVerificationMethodFragment=false")]
    public async Task Verify_BadTrustOption_IsAProblem(string mediaType, string body, string query)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsync(VerifyPath + query, Body(body, mediaType), TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        text.Should().Contain("trustVerificationMethodFragment");
    }

    [Fact]
    public async Task Verify_TrustOptionTwiceInAFormOrConflictingOnPresentations_IsAProblem()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        const string form = "--XYZ\r\nContent-Disposition: form-data; name=\"trustVerificationMethodFragment\"\r\n\r\nfalse\r\n"
            + "--XYZ\r\nContent-Disposition: form-data; name=\"trustVerificationMethodFragment\"\r\n\r\ntrue\r\n"
            + "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"badge.json\"\r\nContent-Type: application/json\r\n\r\n{}\r\n--XYZ--\r\n";
        using var upload = new ByteArrayContent(Encoding.UTF8.GetBytes(form));
        upload.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=XYZ");
        using HttpResponseMessage twice = await client.PostAsync(VerifyPath, upload, TestContext.Current.CancellationToken);
        twice.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await twice.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Contain("once");

        using HttpResponseMessage conflict = await client.PostAsync(
            "/presentations/verify?trustVerificationMethodFragment=false",
            Body("{\"verifiablePresentation\": {}, \"options\": {\"trustVerificationMethodFragment\": true}}", "application/json"),
            TestContext.Current.CancellationToken);
        conflict.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (conflict.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Verify_KnownIssuersFile_AuthenticatesTheExampleIssuer()
    {
        string file = Path.Combine(Path.GetTempPath(), "known-issuers-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(file, """
            [{"id": "https://example.com/issuers/876543", "name": "Example Corp",
              "verificationMethod": "#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
              "publicKeyMultibase": "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"}]
            """, TestContext.Current.CancellationToken);
        try
        {
            byte[] example = await File.ReadAllBytesAsync(Path.Combine(NodeInterop.RepoRoot, "tests", "BadgeIssuer.Core.Tests", "TestData", "vectors", "1edtech-validator-fixtures", "simple.json"), TestContext.Current.CancellationToken);
            using var app = new BadgeIssuerApplication(("Verify:KnownIssuersFile", file));
            using JsonDocument report = await PostReportAsync(app, Body(example, "application/vc+ld+json"));

            Checks(report).Should().Contain(c => c.Name == "issuer-key" && c.Status == "passed");
            Checks(report).Should().Contain(c => c.Name == "known-issuer" && c.Status == "passed" && c.Message.Contains("Example Corp", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Verify_PngWithoutCredential_Returns400WithTheReport()
    {
        using var app = new BadgeIssuerApplication();
        using JsonDocument report = await PostReportAsync(app, Body(SignedCredentials.Png, "image/png"), HttpStatusCode.BadRequest);

        report.RootElement.GetProperty("verified").GetBoolean().Should().BeFalse();
        Checks(report).Should().Contain(c => c.Name == "format" && c.Status == "failed");
        report.RootElement.TryGetProperty("credential", out _).Should().BeFalse();
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
    public async Task Verify_BareCredentialAsApplicationJson_IsRecognisedAndVerified()
    {
        using var app = new BadgeIssuerApplication();

        // The credential itself, not wrapped in {"verifiableCredential": …}: recognised by its @context and type.
        using JsonDocument report = await PostReportAsync(app, Body(_credentials.DataIntegrity, "application/json"));

        AssertVerified(report, "json");
        report.RootElement.GetProperty("verdict").GetString().Should().StartWith("Valid: '" + SignedCredentials.AchievementName + "', issued by 'Test issuer'");

        // And as an enveloped VC-JWT.
        string enveloped = $$"""{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,{{_credentials.Jwt}}"}""";
        using JsonDocument jwtReport = await PostReportAsync(app, Body(enveloped, "application/json"));
        jwtReport.RootElement.GetProperty("verified").GetBoolean().Should().BeTrue(jwtReport.RootElement.GetRawText());
    }

    [Fact]
    public async Task Verify_UnrecognisableJsonBody_ProblemSaysWhatWasExpected()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body("""{"credential": {"name": "x"}}""", "application/json"), TestContext.Current.CancellationToken);

        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        using JsonDocument problem = JsonDocument.Parse(text);
        string detail = problem.RootElement.GetProperty("detail").GetString()!;
        detail.Should().Contain("no 'verifiableCredential' member and is not a credential");
        detail.Should().Contain("{\"verifiableCredential\":");
        detail.Should().Contain("application/vc+ld+json");
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
        SignedCredentials.Png.CopyTo(image, 0);

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

        // A 1 MiB tEXt chunk before IEND: a valid PNG, still carrying the credential, with a body over the JSON limit.
        byte[] image = WithTextChunk(baked, 1024 * 1024);
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body(image, "image/png"), TestContext.Current.CancellationToken);

        (response.StatusCode == HttpStatusCode.OK).Should().BeTrue(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UnknownPath_ReturnsProblem()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.GetAsync("/no-such-thing", TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
    }

    [Fact]
    public async Task HealthAndReadiness_AfterStart_AnswerOk()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();

        (await client.GetStringAsync("/healthz", TestContext.Current.CancellationToken)).Should().Be("ok");
        (await client.GetStringAsync("/readyz", TestContext.Current.CancellationToken)).Should().Be("ready");
    }

    private static ByteArrayContent Body(byte[] body, string mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static ByteArrayContent Body(string body, string mediaType) => Body(Encoding.UTF8.GetBytes(body), mediaType);

    private static async Task<JsonDocument> PostReportAsync(BadgeIssuerApplication app, HttpContent content, HttpStatusCode expected = HttpStatusCode.OK, string query = "")
    {
        using HttpClient client = app.CreateClient();
        using (content)
        {
            using HttpResponseMessage response = await client.PostAsync(VerifyPath + query, content, TestContext.Current.CancellationToken);
            string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            (response.StatusCode == expected).Should().BeTrue($"{(int)response.StatusCode}: {text}");
            (response.Content.Headers.ContentType?.MediaType).Should().Be("application/json");
            return JsonDocument.Parse(text);
        }
    }

    private static void AssertVerified(JsonDocument report, string format)
    {
        report.RootElement.GetProperty("verified").GetBoolean().Should().BeTrue(report.RootElement.GetRawText());
        report.RootElement.GetProperty("format").GetString().Should().Be(format);
        Checks(report).Should().Contain(c => c.Name == "issuer-key" && c.Status == "passed");
    }

    private static List<(string Name, string Status, string Message)> Checks(JsonDocument report)
        => [.. report.RootElement.GetProperty("checks").EnumerateArray().Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("status").GetString()!, c.GetProperty("message").GetString()!))];

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string code)
    {
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        ((int)response.StatusCode == status).Should().BeTrue($"{(int)response.StatusCode}: {text}");
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
        using JsonDocument problem = JsonDocument.Parse(text);
        problem.RootElement.GetProperty("status").GetInt32().Should().Be(status);
        problem.RootElement.GetProperty("type").GetString().Should().Be("urn:badgeissuer:problem:" + code);
        problem.RootElement.GetProperty("code").GetString().Should().Be(code);
        text.Should().NotContain("Exception");
        text.Should().NotContain("   at ");
    }

    // Inserts a tEXt chunk ("Comment", padding bytes) just before IEND (the last 12 bytes of the PNG).
    private static byte[] WithTextChunk(byte[] png, int size)
    {
        byte[] data = new byte[8 + size];
        Encoding.ASCII.GetBytes("Comment\0").CopyTo(data, 0);
        data.AsSpan(8).Fill((byte)'a');
        byte[] typeAndData = [.. "tEXt"u8, .. data];
        using var output = new MemoryStream();
        output.Write(png, 0, png.Length - 12);
        Span<byte> number = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        output.Write(number);
        output.Write(typeAndData);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(typeAndData));
        output.Write(number);
        output.Write(png, png.Length - 12, 12);
        return output.ToArray();
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }

    // Hides its length so HttpClient sends the body chunked.
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
