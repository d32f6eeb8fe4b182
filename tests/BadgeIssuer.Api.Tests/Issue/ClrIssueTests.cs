using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Interop;
using Microsoft.Extensions.DependencyInjection;
using static BadgeIssuer.Api.Tests.Pathways.PathwayKit;

namespace BadgeIssuer.Api.Tests.Issue;

/// <summary>POST /clrs: a CLR 2.0 ClrCredential for one learner, its embedded credentials as issued, its downloads, its verification and every refusal.</summary>
public sealed class ClrIssueTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Three badges awarded to Ada, which complete the certificate (a fourth, composite credential).</summary>
    internal static async Task<(string[] Parts, string Certificate, string[] PartCredentials, string Composite)> AdaHoldsACertificateAsync(HttpClient client)
    {
        (string[] parts, string certificate) = await ThreeBadgesAndACertificateAsync(client);
        var credentials = new List<string>();
        string? composite = null;
        foreach (string part in parts)
        {
            JsonNode award = await AwardAsync(client, part);
            credentials.Add((string)award["credentialId"]!);
            composite ??= (string?)Composites(award).FirstOrDefault()?["credentialId"];
        }

        composite.Should().NotBeNull();
        return (parts, certificate, [.. credentials], composite!);
    }

    internal static async Task<(HttpStatusCode Status, JsonNode Body)> PostClrAsync(HttpClient client, object request)
    {
        using HttpResponseMessage response = await client.PostAsJsonAsync("/clrs", request, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, JsonNode.Parse(text)!);
    }

    internal static async Task<string> ProblemAsync(HttpClient client, object request, HttpStatusCode status, string code)
    {
        using HttpResponseMessage response = await client.PostAsJsonAsync("/clrs", request, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == status).Should().BeTrue($"{response.StatusCode}: {text}");
        JsonNode problem = JsonNode.Parse(text)!;
        ((string)problem["type"]!).Should().Be("urn:badgeissuer:problem:" + code, text);
        return text;
    }

    [Fact]
    public async Task ById_EmbedsTheCredentialsAsIssued_ListsTheirAchievements_AndVerifies()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, _, string[] partCredentials, _) = await AdaHoldsACertificateAsync(client);

        (HttpStatusCode status, JsonNode body) = await PostClrAsync(client, new
        {
            learner = new { email = "Ada@Example.org" },
            credentials = new[] { partCredentials[0], partCredentials[2] },
            name = "Ada's welding record",
        });

        status.Should().Be(HttpStatusCode.Created, body.ToJsonString());
        ((int)body["embedded"]!).Should().Be(2);
        JsonNode clr = body["credential"]!;
        clr["@context"]!.AsArray().Select(c => (string)c!).Should().Equal(
            "https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json");
        clr["type"]!.AsArray().Select(t => (string)t!).Should().Equal("VerifiableCredential", "ClrCredential");
        ((string)clr["name"]!).Should().Be("Ada's welding record");
        ((string)clr["proof"]![0]!["cryptosuite"]!).Should().Be("eddsa-rdfc-2022");
        clr["credentialStatus"].Should().NotBeNull();
        JsonNode subject = clr["credentialSubject"]!;
        ((string)subject["type"]!).Should().Be("ClrSubject");
        ((string)subject["identifier"]![0]!["identityType"]!).Should().Be("emailAddress");
        ((bool)subject["identifier"]![0]!["hashed"]!).Should().BeTrue();

        // Embedded exactly as issued: the stored credential, proof and all.
        JsonArray embedded = subject["verifiableCredential"]!.AsArray();
        embedded.Should().HaveCount(2);
        JsonNode.DeepEquals(embedded[0], JsonNode.Parse(await client.GetStringAsync(partCredentials[0] + ".json", Ct))).Should().BeTrue();
        JsonNode.DeepEquals(embedded[1], JsonNode.Parse(await client.GetStringAsync(partCredentials[2] + ".json", Ct))).Should().BeTrue();
        subject["achievement"]!.AsArray().Select(a => (string)a!["id"]!).Should().Equal(parts[0], parts[2]);
        subject["association"].Should().BeNull("neither achievement is a pathway of the other");

        JsonNode report = await VerifyAsync(client, clr.ToJsonString());
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        report["embeddedCredentials"]!.AsArray().Select(r => (bool)r!["verified"]!).Should().Equal(true, true);
    }

    [Fact]
    public async Task ByPathway_EmbedsTheCompositeAndEveryPart_WithTheirAssociations()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string certificate, string[] partCredentials, string composite) = await AdaHoldsACertificateAsync(client);

        (HttpStatusCode status, JsonNode body) = await PostClrAsync(client, new { learner = new { email = "ada@example.org" }, pathways = new[] { certificate }, format = "both" });

        status.Should().Be(HttpStatusCode.Created, body.ToJsonString());
        JsonNode subject = body["credential"]!["credentialSubject"]!;
        subject["verifiableCredential"]!.AsArray().Select(c => (string)c!["id"]!).Should().Equal([composite, .. partCredentials]);
        subject["achievement"]!.AsArray().Select(a => (string)a!["id"]!).Should().Equal([certificate, .. parts]);
        string associations = string.Join("\n", subject["association"]!.AsArray().Select(a => $"{a!["sourceId"]} {a["associationType"]} {a["targetId"]}"));
        associations.Should().Be(string.Join("\n", parts.SelectMany(p => new[] { $"{p} isChildOf {certificate}", $"{certificate} isParentOf {p}", $"{p} isPartOf {certificate}", $"{p} precedes {certificate}" })));
        ((int)body["associations"]!).Should().Be(12);
        ((string)body["jwt"]!).Should().StartWith("ey");

        JsonNode report = await VerifyAsync(client, body["credential"]!.ToJsonString());
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
    }

    [Fact]
    public async Task Downloads_AreTheCredentials_JsonJwtAndBakedImages()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (_, string certificate, _, _) = await AdaHoldsACertificateAsync(client);
        (_, JsonNode body) = await PostClrAsync(client, new { learner = new { email = "ada@example.org" }, pathways = new[] { certificate }, format = "both" });
        string id = (string)body["credentialId"]!;
        using HttpClient anonymous = app.CreateClient();

        JsonNode.DeepEquals(JsonNode.Parse(await anonymous.GetStringAsync(id + ".json", Ct)), body["credential"]).Should().BeTrue();
        (await anonymous.GetStringAsync(id + ".jwt", Ct)).Should().Be((string)body["jwt"]!);
        foreach ((string extension, string type) in new[] { (".png", "image/png"), (".svg", "image/svg+xml") })
        {
            using HttpResponseMessage image = await anonymous.GetAsync(id + extension, Ct);
            image.StatusCode.Should().Be(HttpStatusCode.OK);
            image.Content.Headers.ContentType!.MediaType.Should().Be(type);
            using var content = new ByteArrayContent(await image.Content.ReadAsByteArrayAsync(Ct));
            content.Headers.ContentType = new(type);
            using HttpResponseMessage verified = await client.PostAsync("/credentials/verify", content, Ct);
            JsonNode report = JsonNode.Parse(await verified.Content.ReadAsStringAsync(Ct))!;
            ((bool)report["verified"]!).Should().BeTrue(extension + ": " + report.ToJsonString());
        }
    }

    [Fact]
    public async Task RevokingAnEmbeddedCredential_MakesTheClrNotValid_AndANewClrRefusesIt()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (_, string certificate, string[] partCredentials, _) = await AdaHoldsACertificateAsync(client);
        (_, JsonNode body) = await PostClrAsync(client, new { learner = new { email = "ada@example.org" }, pathways = new[] { certificate } });

        using (HttpResponseMessage revoked = await client.PostAsync(partCredentials[1] + "/revoke", null, Ct))
        {
            revoked.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        JsonNode report = await VerifyAsync(client, body["credential"]!.ToJsonString());
        ((bool)report["verified"]!).Should().BeFalse(report.ToJsonString());
        report["embeddedCredentials"]!.AsArray().Select(r => (bool)r!["verified"]!).Should().Equal(true, true, false, true);

        string refused = await ProblemAsync(client, new { learner = new { email = "ada@example.org" }, credentials = new[] { partCredentials[0], partCredentials[1] } },
            HttpStatusCode.UnprocessableEntity, "invalid-clr");
        refused.Should().Contain($"/credentials/1: '{partCredentials[1]}' is revoked");
    }

    [Fact]
    public async Task ATamperedEmbeddedCredential_IsNotValid()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (_, _, string[] partCredentials, _) = await AdaHoldsACertificateAsync(client);
        (_, JsonNode body) = await PostClrAsync(client, new { learner = new { email = "ada@example.org" }, credentials = partCredentials });
        JsonNode clr = body["credential"]!;
        clr["credentialSubject"]!["verifiableCredential"]![1]!["name"] = "Master Welder";

        JsonNode report = await VerifyAsync(client, clr.ToJsonString());

        ((bool)report["verified"]!).Should().BeFalse();
        report["embeddedCredentials"]!.AsArray().Select(r => (bool)r!["verified"]!).Should().Equal(true, false, true);
    }

    [Fact]
    public async Task Refusals_AreProblems_NamingTheCredential()
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:Clr:MaxCredentials", "3"));
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string certificate, string[] partCredentials, string composite) = await AdaHoldsACertificateAsync(client);
        string grace = (string)(await AwardAsync(client, parts[0], email: "grace@example.org"))["credentialId"]!;
        using (HttpResponseMessage other = await client.PostAsJsonAsync("/issuers", new { name = "Other College", slug = "other" }, Ct))
        {
            other.StatusCode.Should().Be(HttpStatusCode.Created);
        }

        string foreignAchievement = await CreateAsync(client, "Their badge", issuerId: (string)(await GetJsonAsync(client, "/issuers/other"))["id"]!);
        string foreign = (string)(await AwardAsync(client, foreignAchievement))["credentialId"]!;
        string unknown = BadgeIssuerApplication.BaseUrl + "/credentials/no-such-one";
        object Ada(object credentials) => new { learner = new { email = "ada@example.org" }, credentials };

        (await ProblemAsync(client, Ada(new[] { partCredentials[0], unknown }), HttpStatusCode.NotFound, "credential-not-found"))
            .Should().Contain($"/credentials/1: no credential '{unknown}' of this issuer");
        (await ProblemAsync(client, Ada(new[] { foreign }), HttpStatusCode.NotFound, "credential-not-found"))
            .Should().Contain($"/credentials/0: no credential '{foreign}' of this issuer");
        (await ProblemAsync(client, Ada(new[] { partCredentials[0], grace }), HttpStatusCode.UnprocessableEntity, "invalid-clr"))
            .Should().Contain($"/credentials/1: '{grace}' was not issued to this learner");
        (await ProblemAsync(client, new { learner = new { id = "did:example:ada" }, credentials = new[] { partCredentials[0] } }, HttpStatusCode.UnprocessableEntity, "invalid-clr"))
            .Should().Contain("was not issued to this learner");
        (await ProblemAsync(client, new { learner = new { email = "grace@example.org" }, pathways = new[] { certificate } }, HttpStatusCode.UnprocessableEntity, "invalid-clr"))
            .Should().Contain("/pathways/0: the learner has not completed the pathway");
        (await ProblemAsync(client, new { learner = new { email = "ada@example.org" }, pathways = new[] { parts[0] + "x" } }, HttpStatusCode.NotFound, "achievement-not-found"))
            .Should().Contain("/pathways/0");

        // Too many: four named (a 400 before any lookup), or four reached through a pathway (a 422).
        (await ProblemAsync(client, Ada((string[])[composite, .. partCredentials]), HttpStatusCode.BadRequest, "invalid-request"))
            .Should().Contain("at most 3 credentials");
        (await ProblemAsync(client, new { learner = new { email = "ada@example.org" }, pathways = new[] { certificate } }, HttpStatusCode.UnprocessableEntity, "clr-too-large"))
            .Should().Contain("more than 3 credentials");

        (await ProblemAsync(client, new { credentials = new[] { composite } }, HttpStatusCode.BadRequest, "invalid-request")).Should().Contain("/learner");
        (await ProblemAsync(client, new { learner = new { email = "ada@example.org", id = "did:example:ada" }, credentials = new[] { composite } }, HttpStatusCode.BadRequest, "invalid-request"))
            .Should().Contain("one of them");
        (await ProblemAsync(client, new { learner = new { email = "ada@example.org" } }, HttpStatusCode.BadRequest, "invalid-request")).Should().Contain("at least one credential");
        (await ProblemAsync(client, new { learner = new { email = "ada@example.org" }, credentials = new object[] { 7 } }, HttpStatusCode.BadRequest, "invalid-request")).Should().Contain("/credentials/0");
    }

    [Fact]
    public async Task AClrIsNotEmbeddedInAnother()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (_, _, string[] partCredentials, _) = await AdaHoldsACertificateAsync(client);
        (_, JsonNode body) = await PostClrAsync(client, new { learner = new { email = "ada@example.org" }, credentials = new[] { partCredentials[0] } });

        (await ProblemAsync(client, new { learner = new { email = "ada@example.org" }, credentials = new[] { (string)body["credentialId"]! } }, HttpStatusCode.UnprocessableEntity, "invalid-clr"))
            .Should().Contain("is a CLR");
    }

    [Fact]
    public async Task AnIssuedClr_VerifiesInTheJsReferenceStack_WithEveryEmbeddedCredential()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (_, string certificate, _, _) = await AdaHoldsACertificateAsync(client);
        (_, JsonNode body) = await PostClrAsync(client, new { learner = new { email = "ada@example.org" }, pathways = new[] { certificate } });
        JsonNode clr = body["credential"]!;
        JsonNode[] embedded = [.. clr["credentialSubject"]!["verifiableCredential"]!.AsArray().Select(c => c!)];

        var job = new InteropJob { Now = app.Clock.Now }.AddDocument(BadgeIssuerApplication.IssuerId, await client.GetByteArrayAsync("/issuers/default/did.json", Ct));
        foreach (string list in embedded.Append(clr).Select(c => (string)c["credentialStatus"]!["statusListCredential"]!).Distinct())
        {
            job.AddDocument(list, await client.GetByteArrayAsync(list, Ct));
        }

        job.AddDataIntegrity(clr.ToJsonString());
        foreach (JsonNode credential in embedded)
        {
            job.AddDataIntegrity(credential.ToJsonString());
        }

        IReadOnlyList<InteropResult> results = await NodeInterop.VerifyAsync(job, Ct);

        results.Should().HaveCount(1 + embedded.Length);
        foreach (InteropResult result in results)
        {
            result.Verified.Should().BeTrue($"JS did not verify item {result.Index}:\n{result.Json}");
            result.StatusChecked.Should().BeTrue(result.Json);
            result.Revoked.Should().BeFalse();
        }
    }

    [Fact]
    public async Task ACredentialTooLargeToBake_AnswersNotAcceptable_ForItsImages_AndServesItsJson()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        string id = BadgeIssuerApplication.BaseUrl + "/credentials/too-large-to-bake";
        string json = "{\"id\":\"" + id + "\",\"name\":\"" + new string('x', 2 * 1024 * 1024) + "\"}";
        await app.Services.GetRequiredService<Storage.IBadgeStorage>().Credentials.AddAsync(
            new Storage.CredentialRecord(id, BadgeIssuerApplication.IssuerId, null, "did:example:ada", json, null, null, BadgeIssuerApplication.Now, null), [], Ct);

        foreach (string extension in new[] { ".png", ".svg" })
        {
            using HttpResponseMessage image = await client.GetAsync(id + extension, Ct);
            string text = await image.Content.ReadAsStringAsync(Ct);
            (image.StatusCode == HttpStatusCode.NotAcceptable).Should().BeTrue($"{extension}: {image.StatusCode}");
            text.Should().Contain("too large to bake").And.Contain(".json");
        }

        using HttpResponseMessage download = await client.GetAsync(id + ".json", Ct);
        download.StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
