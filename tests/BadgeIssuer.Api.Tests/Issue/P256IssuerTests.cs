using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.StatusList;

namespace BadgeIssuer.Api.Tests.Issue;

/// <summary>
/// Issuers that chose a P-256 key: the DID document lists it as a <c>zDn…</c> Multikey, every credential they sign
/// carries an ecdsa-rdfc-2019 proof or an ES256 VC-JWT by that key (awards, VC-API issue, status lists, after a
/// rotation too), and the service's own verifier accepts them. An unknown key type is refused.
/// </summary>
public sealed class P256IssuerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The bootstrap issuer (<c>default</c>) with a P-256 key.</summary>
    internal static BadgeIssuerApplication P256App() => new(("BadgeIssuer:Bootstrap:IssuerKeyType", "P-256"));

    internal static JsonNode JwtPart(string jwt, int part) => JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Split('.')[part]))!;

    private static async Task<JsonNode> VerifyAsync(HttpClient client, byte[] body, string mediaType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using HttpResponseMessage response = await client.PostAsync("/credentials/verify", content, Ct);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
    }

    private static string Check(JsonNode report, string name) =>
        (string)report["checks"]!.AsArray().First(c => (string)c!["name"]! == name)!["status"]!;

    private static async Task<JsonNode> DidDocumentAsync(HttpClient client, string slug) =>
        JsonNode.Parse(await client.GetStringAsync($"/issuers/{slug}/did.json", Ct))!;

    private static void AssertEcdsaProof(JsonNode credential, string method)
    {
        // One proof: in an array on the Open Badges these tests issue, an object on status lists.
        JsonNode proof = credential["proof"] is JsonArray proofs ? proofs.Single()! : credential["proof"]!;
        ((string)proof["type"]!).Should().Be("DataIntegrityProof");
        ((string)proof["cryptosuite"]!).Should().Be("ecdsa-rdfc-2019");
        ((string)proof["verificationMethod"]!).Should().Be(method);
    }

    private static void AssertEs256(string jwt, string method)
    {
        JsonNode header = JwtPart(jwt, 0);
        ((string)header["alg"]!).Should().Be("ES256");
        ((string)header["kid"]!).Should().Be(method);
    }

    [Fact]
    public async Task P256Issuer_DidDocumentListsZDnMultikey_AwardSignsEcdsaAndEs256_VerifiesThenRevokedWithP256StatusList()
    {
        using var app = P256App();
        using HttpClient client = app.CreateAuthorizedClient();

        // The DID document: one verification method, a P-256 Multikey named by its zDn… value, with the multikey context.
        JsonNode did = await DidDocumentAsync(client, "default");
        did["@context"]!.ToJsonString().Should().Be("""["https://www.w3.org/ns/did/v1","https://w3id.org/security/multikey/v1"]""");
        JsonNode vm = did["verificationMethod"]!.AsArray().Single()!;
        ((string)vm["type"]!).Should().Be("Multikey");
        string multibase = (string)vm["publicKeyMultibase"]!;
        multibase.Should().StartWith("zDn");
        string method = BadgeIssuerApplication.IssuerId + "#" + multibase;
        ((string)vm["id"]!).Should().Be(method);
        ((string)did["assertionMethod"]![0]!).Should().Be(method);

        JsonNode keys = JsonNode.Parse(await client.GetStringAsync("/issuers/default/keys", Ct))!;
        JsonNode key = keys["keys"]!.AsArray().Single()!;
        ((string)key["type"]!).Should().Be("P-256");
        ((string)key["publicKeyJwk"]!["crv"]!).Should().Be("P-256");

        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId, extra: new { achievementId, recipient = new { email = "learner@example.org" }, format = "both" });
        string credentialId = (string)award["credentialId"]!;
        byte[] json = await client.GetByteArrayAsync(credentialId + ".json", Ct);
        string jwt = await client.GetStringAsync(credentialId + ".jwt", Ct);
        AssertEcdsaProof(JsonNode.Parse(json)!, method);
        AssertEs256(jwt, method);

        JsonNode report = await VerifyAsync(client, json, "application/vc+ld+json");
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        Check(report, "issuer-key").Should().Be("passed");
        Check(report, "status").Should().Be("passed");
        JsonNode jwtReport = await VerifyAsync(client, Encoding.ASCII.GetBytes(jwt), "application/vc+jwt");
        ((bool)jwtReport["verified"]!).Should().BeTrue(jwtReport.ToJsonString());

        // The status list, in both forms, is signed with the same P-256 key.
        JsonNode status = JsonNode.Parse(json)!["credentialStatus"]!;
        string listUrl = (string)status["statusListCredential"]!;
        long index = long.Parse((string)status["statusListIndex"]!, System.Globalization.CultureInfo.InvariantCulture);
        using HttpResponseMessage revoke = await client.PostAsync(credentialId + "/revoke", null, Ct);
        revoke.StatusCode.Should().Be(HttpStatusCode.OK);

        byte[] list = await client.GetByteArrayAsync(listUrl, Ct);
        JsonNode listNode = JsonNode.Parse(list)!;
        AssertEcdsaProof(listNode, method);
        BitstringStatusList.Decode((string)listNode["credentialSubject"]!["encodedList"]!).IsSet(index).Should().BeTrue();
        JsonNode listReport = await VerifyAsync(client, list, "application/vc+ld+json");
        ((bool)listReport["verified"]!).Should().BeTrue(listReport.ToJsonString());
        using var jwtRequest = new HttpRequestMessage(HttpMethod.Get, listUrl);
        jwtRequest.Headers.Accept.ParseAdd("application/vc+jwt");
        using HttpResponseMessage jwtList = await client.SendAsync(jwtRequest, Ct);
        AssertEs256(await jwtList.Content.ReadAsStringAsync(Ct), method);

        JsonNode revoked = await VerifyAsync(client, json, "application/vc+ld+json");
        ((bool)revoked["verified"]!).Should().BeFalse(revoked.ToJsonString());
        Check(revoked, "proof").Should().Be("passed");
        Check(revoked, "status").Should().Be("failed");
        JsonNode revokedJwt = await VerifyAsync(client, Encoding.ASCII.GetBytes(jwt), "application/vc+jwt");
        Check(revokedJwt, "status").Should().Be("failed");
    }

    [Fact]
    public async Task P256Issuer_VcApiIssue_DefaultsToEcdsaAndEs256_RefusesEdDsaAndRs256()
    {
        using var app = P256App();
        using HttpClient client = app.CreateAuthorizedClient();
        string method = BadgeIssuerApplication.IssuerId + "#" + (string)(await DidDocumentAsync(client, "default"))["verificationMethod"]![0]!["publicKeyMultibase"]!;

        using HttpResponseMessage di = await client.PostAsJsonAsync("/credentials/issue", new { credential = IssuingApiTests.SampleCredential() }, Ct);
        string diText = await di.Content.ReadAsStringAsync(Ct);
        di.StatusCode.Should().Be(HttpStatusCode.Created, diText);
        JsonNode vc = JsonNode.Parse(diText)!["verifiableCredential"]!;
        AssertEcdsaProof(vc, method);
        ((bool)(await VerifyAsync(client, Encoding.UTF8.GetBytes(vc.ToJsonString()), "application/vc+ld+json"))["verified"]!).Should().BeTrue();

        foreach (string? alg in new[] { null, "ES256" })
        {
            using HttpResponseMessage jwt = await client.PostAsJsonAsync("/credentials/issue", new { credential = IssuingApiTests.SampleCredential(), options = new { format = "jwt", alg } }, Ct);
            string text = await jwt.Content.ReadAsStringAsync(Ct);
            jwt.StatusCode.Should().Be(HttpStatusCode.Created, text);
            string token = ((string)JsonNode.Parse(text)!["verifiableCredential"]!["id"]!)["data:application/vc+jwt,".Length..];
            AssertEs256(token, method);
            ((bool)(await VerifyAsync(client, Encoding.ASCII.GetBytes(token), "application/vc+jwt"))["verified"]!).Should().BeTrue();
        }

        foreach (string alg in new[] { "EdDSA", "RS256" })
        {
            using HttpResponseMessage refused = await client.PostAsJsonAsync("/credentials/issue", new { credential = IssuingApiTests.SampleCredential(), options = new { format = "jwt", alg } }, Ct);
            string text = await refused.Content.ReadAsStringAsync(Ct);
            refused.StatusCode.Should().Be(HttpStatusCode.BadRequest, text);
            ((string)JsonNode.Parse(text)!["errors"]![0]!["path"]!).Should().Be("/options/alg");
            text.Should().Contain("P-256 issuers: ES256");
        }
    }

    [Fact]
    public async Task CreateIssuer_KeyTypeP256_DidWebRotatesKeepingP256_DidKeyIsZDn_BothVerify()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        using HttpResponseMessage web = await admin.PostAsJsonAsync("/issuers", new { name = "Curve College", slug = "curve", keyType = "P-256" }, Ct);
        web.StatusCode.Should().Be(HttpStatusCode.Created, await web.Content.ReadAsStringAsync(Ct));
        using HttpResponseMessage key = await admin.PostAsJsonAsync("/issuers", new { name = "Curve Key", slug = "curve-key", didMethod = "key", keyType = "P-256" }, Ct);
        key.StatusCode.Should().Be(HttpStatusCode.Created, await key.Content.ReadAsStringAsync(Ct));
        string webId = (string)JsonNode.Parse(await web.Content.ReadAsStringAsync(Ct))!["id"]!;
        string keyId = (string)JsonNode.Parse(await key.Content.ReadAsStringAsync(Ct))!["id"]!;
        keyId.Should().StartWith("did:key:zDn");

        // did:key: the one key is the DID; credentials verify through the hosted resolver.
        string keyAchievement = await IssuingApiTests.CreateAchievementAsync(admin, new { issuerId = keyId, name = "Curves", description = "d", criteria = new { narrative = "n" } });
        JsonNode keyAward = await IssuingApiTests.AwardAsync(admin, keyAchievement, extra: new { achievementId = keyAchievement, recipient = new { email = "k@example.org" }, format = "both" });
        string keyMethod = keyId + "#" + keyId["did:key:".Length..];
        AssertEcdsaProof(keyAward["credential"]!, keyMethod);
        AssertEs256((string)keyAward["jwt"]!, keyMethod);
        ((bool)(await VerifyAsync(admin, Encoding.UTF8.GetBytes(keyAward["credential"]!.ToJsonString()), "application/vc+ld+json"))["verified"]!).Should().BeTrue();
        ((bool)(await VerifyAsync(admin, Encoding.ASCII.GetBytes((string)keyAward["jwt"]!), "application/vc+jwt"))["verified"]!).Should().BeTrue();

        // did:web: award, rotate (a new P-256 key, no RSA key), award again; both credentials verify.
        string webAchievement = await IssuingApiTests.CreateAchievementAsync(admin, new { issuerId = webId, name = "Curves", description = "d", criteria = new { narrative = "n" } });
        JsonNode before = await IssuingApiTests.AwardAsync(admin, webAchievement, extra: new { achievementId = webAchievement, recipient = new { email = "w@example.org" }, format = "both" });
        using HttpResponseMessage rotate = await admin.PostAsync("/issuers/curve/keys/rotate", null, Ct);
        string rotated = await rotate.Content.ReadAsStringAsync(Ct);
        rotate.StatusCode.Should().Be(HttpStatusCode.OK, rotated);
        JsonArray keys = JsonNode.Parse(rotated)!["keys"]!.AsArray();
        string.Join(",", keys.Select(k => (string)k!["type"]! + ":" + (bool)k["current"]!)).Should().Be("P-256:False,P-256:True");
        JsonNode did = await DidDocumentAsync(admin, "curve");
        string.Join(",", did["verificationMethod"]!.AsArray().Select(m => (string)m!["type"]! + ":" + ((string)m["publicKeyMultibase"]!)[..3])).Should().Be("Multikey:zDn,Multikey:zDn");
        string newMethod = (string)keys.Single(k => (bool)k!["current"]!)!["id"]!;

        JsonNode after = await IssuingApiTests.AwardAsync(admin, webAchievement, extra: new { achievementId = webAchievement, recipient = new { email = "w@example.org" }, format = "both" });
        AssertEcdsaProof(after["credential"]!, newMethod);
        AssertEs256((string)after["jwt"]!, newMethod);
        foreach (JsonNode award in new[] { before, after })
        {
            JsonNode di = await VerifyAsync(admin, Encoding.UTF8.GetBytes(award["credential"]!.ToJsonString()), "application/vc+ld+json");
            ((bool)di["verified"]!).Should().BeTrue(di.ToJsonString());
            JsonNode jwt = await VerifyAsync(admin, Encoding.ASCII.GetBytes((string)award["jwt"]!), "application/vc+jwt");
            ((bool)jwt["verified"]!).Should().BeTrue(jwt.ToJsonString());
        }
    }

    [Theory]
    [InlineData("RSA")]
    [InlineData("p-256")]
    [InlineData("")]
    public void BootstrapIssuerKeyType_Unknown_FailsOptionsValidation(string value)
    {
        var options = new BadgeIssuer.Api.Infrastructure.BadgeIssuerOptions();
        options.Bootstrap.IssuerKeyType = value;

        Microsoft.Extensions.Options.ValidateOptionsResult result = new BadgeIssuer.Api.Infrastructure.BadgeIssuerOptionsValidator().Validate(null, options);

        string.Join("\n", result.Failures ?? []).Should().Contain("BadgeIssuer:Bootstrap:IssuerKeyType must be 'Ed25519' or 'P-256'.");
        options.Bootstrap.IssuerKeyType = "P-256";
        string.Join("\n", new BadgeIssuer.Api.Infrastructure.BadgeIssuerOptionsValidator().Validate(null, options).Failures ?? []).Should().NotContain("IssuerKeyType");
    }

    [Theory]
    [InlineData("\"RSA\"")]
    [InlineData("\"ed25519\"")]
    [InlineData("\"P-384\"")]
    [InlineData("\"secp256k1\"")]
    [InlineData("256")]
    public async Task CreateIssuer_UnknownKeyType_IsAProblemListingTheAllowedOnes(string keyType)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        using var content = new StringContent($$"""{"name":"Odd Keys","slug":"odd","keyType":{{keyType}}}""", Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await admin.PostAsync("/issuers", content, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, text);
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
        JsonNode problem = JsonNode.Parse(text)!;
        ((string)problem["type"]!).Should().Be("urn:badgeissuer:problem:invalid-request");
        JsonNode error = problem["errors"]!.AsArray().Single()!;
        ((string)error["path"]!).Should().Be("/keyType");
        if (keyType.StartsWith('"'))
        {
            ((string)error["message"]!).Should().Be("keyType must be one of: Ed25519, P-256.");
        }

        (await admin.GetAsync("/issuers/odd", Ct)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CreateIssuer_KeyTypeWhoseSuiteIsNotConfigured_IsRefused_TheConfiguredOneIsCreated()
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:Cryptosuites:0", "eddsa-rdfc-2022"));
        using HttpClient admin = app.CreateAuthorizedClient();

        using HttpResponseMessage refused = await admin.PostAsJsonAsync("/issuers", new { name = "Curve College", slug = "curve", keyType = "P-256" }, Ct);
        using HttpResponseMessage created = await admin.PostAsJsonAsync("/issuers", new { name = "Edwards College", slug = "edwards", keyType = "Ed25519" }, Ct);

        string text = await refused.Content.ReadAsStringAsync(Ct);
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest, text);
        JsonNode error = JsonNode.Parse(text)!["errors"]!.AsArray().Single()!;
        ((string)error["path"]!).Should().Be("/keyType");
        ((string)error["message"]!).Should().Contain("BadgeIssuer:Cryptosuites").And.Contain("eddsa-rdfc-2022");
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("eddsa-rdfc-2022", "P-256", "needs a cryptosuite that signs with it")]
    [InlineData("Ed25519Signature2018", "Ed25519", "needs a cryptosuite that signs with it")]
    [InlineData("no-such-suite", "Ed25519", "BadgeIssuer:Cryptosuites: ")]
    [InlineData("ecdsa-rdfc-2019", "P-256", null)]
    public void IssuingCryptosuites_MustSignTheFirstIssuersKeyType(string suite, string keyType, string? failure)
    {
        var options = new BadgeIssuer.Api.Infrastructure.BadgeIssuerOptions { Cryptosuites = [suite] };
        options.Bootstrap.IssuerKeyType = keyType;

        string failures = string.Join("\n", new BadgeIssuer.Api.Infrastructure.BadgeIssuerOptionsValidator().Validate(null, options).Failures ?? []);

        if (failure is null)
        {
            failures.Should().NotContain("Cryptosuites").And.NotContain("IssuerKeyType");
        }
        else
        {
            failures.Should().Contain(failure);
        }
    }
}
