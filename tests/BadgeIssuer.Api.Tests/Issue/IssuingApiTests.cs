using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Baking;
using BadgeIssuer.Core.StatusList;

namespace BadgeIssuer.Api.Tests.Issue;

/// <summary>The issuing service end to end: bootstrap, issuers, achievements, awards, VC-API issue, downloads, status.</summary>
public sealed class IssuingApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static async Task<string> CreateAchievementAsync(HttpClient client, object? body = null)
    {
        using HttpResponseMessage response = await client.PostAsJsonAsync("/achievements", body ?? new
        {
            name = "Intro to Welding",
            description = "Safe MIG welding basics.",
            criteria = new { narrative = "Pass the practical assessment." },
            achievementType = "Certificate",
            tag = new[] { "welding" },
            alignment = new[] { new { type = new[] { "Alignment" }, targetName = "Welding 101", targetUrl = "https://example.org/frameworks/welding/101" } },
        }, Ct);
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        JsonNode node = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        return (string)node["id"]!;
    }

    internal static async Task<JsonNode> AwardAsync(HttpClient client, string achievementId, string email = "learner@example.org", string? idempotencyKey = null, object? extra = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/awards")
        {
            Content = JsonContent.Create(extra ?? new { achievementId, recipient = new { email, name = "Ada Learner" } }),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using HttpResponseMessage response = await client.SendAsync(request, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        response.IsSuccessStatusCode.Should().BeTrue(text);
        return JsonNode.Parse(text)!;
    }

    private static async Task<JsonNode> VerifyAsync(HttpClient client, byte[] body, string mediaType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using HttpResponseMessage response = await client.PostAsync("/credentials/verify", content, Ct);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
    }

    private static string Check(JsonNode report, string name) =>
        (string)report["checks"]!.AsArray().First(c => (string)c!["name"]! == name)!["status"]!;

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        string text = await response.Content.ReadAsStringAsync(Ct);
        (status == response.StatusCode).Should().BeTrue($"{response.StatusCode}: {text}");
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
        JsonNode problem = JsonNode.Parse(text)!;
        ((string)problem["type"]!).Should().Be("urn:badgeissuer:problem:" + code);
        return problem;
    }

    [Fact]
    public async Task FirstStart_WritesBootstrapFileAndServesIssuerDocuments()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        (await client.GetStringAsync("/readyz", Ct)).Should().Be("ready");

        JsonNode bootstrap = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(app.DataDirectory, "bootstrap.json"), Ct))!;
        ((string)bootstrap["issuerId"]!).Should().Be(BadgeIssuerApplication.IssuerId);
        ((string)bootstrap["apiKey"]!).Should().Be(BadgeIssuerApplication.ApiKey);
        File.Exists(Path.Combine(app.DataDirectory, "kek.key")).Should().BeTrue();

        JsonNode profile = JsonNode.Parse(await client.GetStringAsync("/issuers/default", Ct))!;
        ((string)profile["id"]!).Should().Be(BadgeIssuerApplication.IssuerId);
        ((string)profile["type"]![0]!).Should().Be("Profile");

        JsonNode did = JsonNode.Parse(await client.GetStringAsync("/issuers/default/did.json", Ct))!;
        ((string)did["id"]!).Should().Be(BadgeIssuerApplication.IssuerId);
        did["verificationMethod"]!.AsArray().Count.Should().Be(2);
        did["assertionMethod"]!.AsArray().Count.Should().Be(2);
        did.ToJsonString().Should().NotContain("\"d\"");
    }

    [Fact]
    public async Task ProtectedEndpoint_WithoutOrWithWrongKey_Returns401Problem()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient anonymous = app.CreateClient();
        using HttpResponseMessage none = await anonymous.PostAsJsonAsync("/awards", new { achievementId = "x" }, Ct);
        await ProblemAsync(none, HttpStatusCode.Unauthorized, "unauthorized");
        none.Headers.WwwAuthenticate.Single().Scheme.Should().Be("Bearer");

        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "bik_wrong-key-0000000000000000000000");
        using HttpResponseMessage wrong = await anonymous.PostAsJsonAsync("/awards", new { achievementId = "x" }, Ct);
        await ProblemAsync(wrong, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Award_VerifiesDownloadsInEveryFormatAndUnbakesToStoredCredential()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await CreateAchievementAsync(client);
        JsonNode award = await AwardAsync(client, achievementId, extra: new { achievementId, recipient = new { email = "Learner@Example.org" }, format = "both" });
        string credentialId = (string)award["credentialId"]!;
        credentialId.Should().StartWith(BadgeIssuerApplication.BaseUrl + "/credentials/");
        ((string)award["links"]!["linkedIn"]!).Should().StartWith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME");
        JsonNode credential = award["credential"]!;
        JsonNode identifier = credential["credentialSubject"]!["identifier"]![0]!;
        ((bool)identifier["hashed"]!).Should().BeTrue();
        credential.ToJsonString().Should().NotContainEquivalentOf("learner@example.org");
        ((string)credential["credentialStatus"]!["statusPurpose"]!).Should().Be("revocation");

        byte[] json = await client.GetByteArrayAsync(credentialId + ".json", Ct);
        JsonNode report = await VerifyAsync(client, json, "application/vc+ld+json");
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        Check(report, "issuer-key").Should().Be("passed");
        Check(report, "status").Should().Be("passed");

        // Recipient check with the address as given (case-insensitive: emails are normalised before hashing).
        JsonNode withRecipient = await VerifyAsync(client, Encoding.UTF8.GetBytes(new JsonObject
        {
            ["verifiableCredential"] = JsonNode.Parse(json),
            ["options"] = new JsonObject { ["recipient"] = "learner@example.org" },
        }.ToJsonString()), "application/json");
        Check(withRecipient, "recipient").Should().Be("passed");

        string jwt = await client.GetStringAsync(credentialId + ".jwt", Ct);
        ((bool)(await VerifyAsync(client, Encoding.ASCII.GetBytes(jwt), "application/vc+jwt"))["verified"]!).Should().BeTrue();

        foreach ((string ext, BadgeImageFormat format) in new[] { (".png", BadgeImageFormat.Png), (".svg", BadgeImageFormat.Svg) })
        {
            using HttpResponseMessage image = await client.GetAsync(credentialId + ext, Ct);
            image.StatusCode.Should().Be(HttpStatusCode.OK);
            (image.Content.Headers.ContentDisposition?.DispositionType).Should().Be("attachment");
            (image.Content.Headers.ContentDisposition?.FileName?.Trim('"')).Should().EndWith(ext);
            byte[] bytes = await image.Content.ReadAsByteArrayAsync(Ct);
            UnbakedBadge unbaked = BakedBadge.Unbake(bytes);
            unbaked.Format.Should().Be(format);
            unbaked.Payload.Should().Be(Encoding.UTF8.GetString(json));
            ((bool)(await VerifyAsync(client, bytes, format == BadgeImageFormat.Png ? "image/png" : "image/svg+xml"))["verified"]!).Should().BeTrue();
        }

        // Content negotiation on the bare id.
        foreach ((string accept, string expected) in new[]
        {
            ("application/vc+jwt", "application/vc+jwt"),
            ("image/svg+xml", "image/svg+xml"),
            ("image/png;q=0.9, application/ld+json", "application/ld+json"),
            ("*/*", "application/vc+ld+json"),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, credentialId);
            request.Headers.Accept.ParseAdd(accept);
            using HttpResponseMessage response = await client.SendAsync(request, Ct);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            (response.Content.Headers.ContentType?.MediaType).Should().Be(expected);
        }

        using var unacceptable = new HttpRequestMessage(HttpMethod.Get, credentialId);
        unacceptable.Headers.Accept.ParseAdd("text/plain");
        await ProblemAsync(await client.SendAsync(unacceptable, Ct), HttpStatusCode.NotAcceptable, "not-acceptable");
        await ProblemAsync(await client.GetAsync(BadgeIssuerApplication.BaseUrl + "/credentials/AAAAAAAAAAAAAAAAAAAAAA.json", Ct), HttpStatusCode.NotFound, "credential-not-found");
    }

    [Fact]
    public async Task Award_UnknownAchievementOrBadRecipient_ReturnsProblems()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        using HttpResponseMessage unknown = await client.PostAsJsonAsync("/awards", new { achievementId = "http://localhost/achievements/nope", recipient = new { email = "a@example.org" } }, Ct);
        await ProblemAsync(unknown, HttpStatusCode.NotFound, "achievement-not-found");

        string achievementId = await CreateAchievementAsync(client);
        using HttpResponseMessage bad = await client.PostAsJsonAsync("/awards", new { achievementId, recipient = new { email = "not-an-email" }, validFrom = "2026-01-01" }, Ct);
        JsonNode problem = await ProblemAsync(bad, HttpStatusCode.BadRequest, "invalid-request");
        string[] paths = problem["errors"]!.AsArray().Select(e => (string)e!["path"]!).ToArray();
        paths.Should().Contain("/recipient/email");
        paths.Should().Contain("/validFrom");

        using var notJson = new StringContent("{", Encoding.UTF8, "application/json");
        await ProblemAsync(await client.PostAsync("/awards", notJson, Ct), HttpStatusCode.BadRequest, "malformed-body");
        using var wrongType = new StringContent("x", Encoding.UTF8, "text/plain");
        await ProblemAsync(await client.PostAsync("/awards", wrongType, Ct), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Fact]
    public async Task Award_WithEvidenceAndResults_SchemaCheckedAndVerifies()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await CreateAchievementAsync(client);
        JsonNode award = await AwardAsync(client, achievementId, extra: new
        {
            achievementId,
            recipient = new { email = "e@example.org" },
            evidence = new[] { new { id = "https://lms.example.org/submissions/1", type = new[] { "Evidence" }, name = "Final weld" } },
        });
        JsonNode report = await VerifyAsync(client, Encoding.UTF8.GetBytes(award["credential"]!.ToJsonString()), "application/vc+ld+json");
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        Check(report, "schema").Should().Be("passed");

        using HttpResponseMessage bad = await client.PostAsJsonAsync("/awards", new
        {
            achievementId,
            recipient = new { email = "e@example.org" },
            evidence = new[] { new { id = "https://lms.example.org/submissions/1", type = "Evidence" } },
        }, Ct);
        JsonNode problem = await ProblemAsync(bad, HttpStatusCode.UnprocessableEntity, "invalid-credential");
        problem["errors"]!.AsArray().Should().Contain(e => ((string)e!["path"]!).StartsWith("/evidence", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Award_AnswerAlwaysHasCredentialAndJwt_NullForTheFormatNotIssued()
    {
        // The OpenAPI schema of AwardResponse (and ClrResponse) requires both members; generated clients rely on it.
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await CreateAchievementAsync(client);
        JsonObject dataIntegrity = (await AwardAsync(client, achievementId)).AsObject();
        JsonObject jwt = (await AwardAsync(client, achievementId, extra: new { achievementId, recipient = new { email = "ada@example.org" }, format = "jwt" })).AsObject();

        dataIntegrity.ContainsKey("jwt").Should().BeTrue();
        dataIntegrity["jwt"].Should().BeNull();
        dataIntegrity["credential"].Should().BeOfType<JsonObject>();
        jwt.ContainsKey("credential").Should().BeTrue();
        jwt["credential"].Should().BeNull();
        ((string)jwt["jwt"]!).Should().StartWith("ey");
    }

    [Fact]
    public async Task Award_SameIdempotencyKey_ReturnsSameCredential()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await CreateAchievementAsync(client);
        JsonNode first = await AwardAsync(client, achievementId, idempotencyKey: "lms-award-42");
        JsonNode again = await AwardAsync(client, achievementId, idempotencyKey: "lms-award-42");
        JsonNode other = await AwardAsync(client, achievementId, idempotencyKey: "lms-award-43");

        ((bool)first["created"]!).Should().BeTrue();
        ((bool)again["created"]!).Should().BeFalse();
        ((string)again["credentialId"]!).Should().Be((string)first["credentialId"]!);
        again["credential"]!.ToJsonString().Should().Be(first["credential"]!.ToJsonString());
        ((string)other["credentialId"]!).Should().NotBe((string)first["credentialId"]!);
    }

    [Fact]
    public async Task AwardBatch_OneBadItem_OthersSucceed()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await CreateAchievementAsync(client);
        using HttpResponseMessage response = await client.PostAsJsonAsync("/awards/batch", new
        {
            awards = new object[]
            {
                new { achievementId, recipient = new { email = "one@example.org" } },
                new { achievementId, recipient = new { } },
                new { achievementId, recipient = new { id = "did:example:learner3" } },
            },
        }, Ct);
        JsonNode body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        ((int)body["succeeded"]!).Should().Be(2);
        ((int)body["failed"]!).Should().Be(1);
        JsonArray results = body["results"]!.AsArray();
        ((int)results[0]!["status"]!).Should().Be(201);
        ((int)results[1]!["status"]!).Should().Be(400);
        ((string)results[1]!["problem"]!["type"]!).Should().Be("urn:badgeissuer:problem:invalid-request");
        ((string)results[2]!["award"]!["credential"]!["credentialSubject"]!["id"]!).Should().Be("did:example:learner3");
    }

    [Fact]
    public async Task Revoke_SetsBitInPublishedListAndVerificationFails()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await CreateAchievementAsync(client);
        JsonNode award = await AwardAsync(client, achievementId);
        string credentialId = (string)award["credentialId"]!;
        JsonNode status = award["credential"]!["credentialStatus"]!;
        string listUrl = (string)status["statusListCredential"]!;
        long index = long.Parse((string)status["statusListIndex"]!, System.Globalization.CultureInfo.InvariantCulture);

        using HttpResponseMessage before = await client.GetAsync(listUrl, Ct);
        (before.Content.Headers.ContentType?.MediaType).Should().Be("application/vc+ld+json");
        string etag = before.Headers.ETag!.Tag;
        before.Headers.CacheControl!.ToString().Should().Contain("max-age=300");
        JsonNode list = JsonNode.Parse(await before.Content.ReadAsStringAsync(Ct))!;
        ((string)list["issuer"]!).Should().Be(BadgeIssuerApplication.IssuerId);
        ((long)list["credentialSubject"]!["ttl"]!).Should().Be(300_000);
        BitstringStatusList.Decode((string)list["credentialSubject"]!["encodedList"]!).IsSet(index).Should().BeFalse();

        using var conditional = new HttpRequestMessage(HttpMethod.Get, listUrl);
        conditional.Headers.IfNoneMatch.ParseAdd(etag);
        (await client.SendAsync(conditional, Ct)).StatusCode.Should().Be(HttpStatusCode.NotModified);

        using HttpResponseMessage revoke = await client.PostAsync(credentialId + "/revoke", null, Ct);
        revoke.StatusCode.Should().Be(HttpStatusCode.OK);

        using HttpResponseMessage after = await client.GetAsync(listUrl, Ct);
        after.Headers.ETag!.Tag.Should().NotBe(etag);
        JsonNode revokedList = JsonNode.Parse(await after.Content.ReadAsStringAsync(Ct))!;
        BitstringStatusList.Decode((string)revokedList["credentialSubject"]!["encodedList"]!).IsSet(index).Should().BeTrue();

        JsonNode report = await VerifyAsync(client, await client.GetByteArrayAsync(credentialId + ".json", Ct), "application/vc+ld+json");
        ((bool)report["verified"]!).Should().BeFalse();
        Check(report, "status").Should().Be("failed");

        using var jwtRequest = new HttpRequestMessage(HttpMethod.Get, listUrl);
        jwtRequest.Headers.Accept.ParseAdd("application/vc+jwt");
        using HttpResponseMessage jwtList = await client.SendAsync(jwtRequest, Ct);
        (jwtList.Content.Headers.ContentType?.MediaType).Should().Be("application/vc+jwt");
        (await jwtList.Content.ReadAsStringAsync(Ct)).Split('.').Length.Should().Be(3);

        JsonNode changes = JsonNode.Parse(await client.GetStringAsync(listUrl + "/changes", Ct))!;
        JsonNode change = changes["changes"]!.AsArray().Single()!;
        ((string)change["credentialId"]!).Should().Be(credentialId);
        ((long)change["index"]!).Should().Be(index);
        ((int)change["oldValue"]!).Should().Be(0);
        ((int)change["newValue"]!).Should().Be(1);
        ((string)change["actor"]!).Should().StartWith("api-key:");
        await ProblemAsync(await app.CreateClient().GetAsync(listUrl + "/changes", Ct), HttpStatusCode.Unauthorized, "unauthorized");

        await ProblemAsync(await client.PostAsync(credentialId + "/reinstate", null, Ct), HttpStatusCode.Conflict, "status-not-supported");
        using HttpResponseMessage unrevoke = await client.PostAsJsonAsync("/credentials/status", new { credentialId, credentialStatus = new[] { new { type = "BitstringStatusListEntry", statusPurpose = "revocation", status = false } } }, Ct);
        await ProblemAsync(unrevoke, HttpStatusCode.Conflict, "revocation-permanent");
    }

    [Fact]
    public async Task SuspendAndReinstate_ThroughVcApiStatusEndpoint_TogglesTheBit()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await CreateAchievementAsync(client);
        JsonNode award = await AwardAsync(client, achievementId, extra: new { achievementId, recipient = new { email = "s@example.org" }, status = new[] { "suspension" } });
        string credentialId = (string)award["credentialId"]!;
        JsonNode status = award["credential"]!["credentialStatus"]!;
        ((string)status["statusPurpose"]!).Should().Be("suspension");
        long index = long.Parse((string)status["statusListIndex"]!, System.Globalization.CultureInfo.InvariantCulture);

        using HttpResponseMessage suspend = await client.PostAsJsonAsync("/credentials/status", new { credentialId, credentialStatus = new[] { new { type = "BitstringStatusListEntry", statusPurpose = "suspension", status = true } } }, Ct);
        suspend.StatusCode.Should().Be(HttpStatusCode.OK);
        (await IsSetAsync()).Should().BeTrue();
        using HttpResponseMessage reinstate = await client.PostAsync(credentialId + "/reinstate", null, Ct);
        reinstate.StatusCode.Should().Be(HttpStatusCode.OK);
        (await IsSetAsync()).Should().BeFalse();
        await ProblemAsync(await client.PostAsync(credentialId + "/revoke", null, Ct), HttpStatusCode.Conflict, "status-not-supported");

        async Task<bool> IsSetAsync()
        {
            JsonNode list = JsonNode.Parse(await client.GetStringAsync((string)status["statusListCredential"]!, Ct))!;
            return BitstringStatusList.Decode((string)list["credentialSubject"]!["encodedList"]!).IsSet(index);
        }
    }

    [Fact]
    public async Task ConcurrentAwards_GetDistinctStatusIndexes()
    {
        const int Count = 2000;
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await CreateAchievementAsync(client);
        var seen = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Count), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = Ct }, async (i, ct) =>
        {
            using HttpResponseMessage response = await client.PostAsJsonAsync("/awards", new { achievementId, recipient = new { email = $"l{i}@example.org" } }, ct);
            response.StatusCode.Should().Be(HttpStatusCode.Created);
            JsonNode status = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["credential"]!["credentialStatus"]!;
            seen.Add((string)status["id"]!);
        });

        seen.Count.Should().Be(Count);
        seen.Distinct(StringComparer.Ordinal).Count().Should().Be(Count);
    }

    [Fact]
    public async Task Achievement_InvalidOrUndefinedTerm_ReturnsProblemWithPaths()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        using HttpResponseMessage missing = await client.PostAsJsonAsync("/achievements", new { name = "No criteria", description = "d" }, Ct);
        JsonNode problem = await ProblemAsync(missing, HttpStatusCode.UnprocessableEntity, "invalid-achievement");
        problem["errors"]!.AsArray().Should().Contain(e => ((string)e!["message"]!).Contains("criteria", StringComparison.Ordinal));

        using HttpResponseMessage undefined = await client.PostAsJsonAsync("/achievements", new { name = "n", description = "d", criteria = new { narrative = "x" }, favouriteColour = "blue" }, Ct);
        // A member outside the OB Achievement class is refused before JSON-LD sees it (it would only land in the
        // issuer-dependent vocabulary), with its pointer.
        JsonNode unknown = await ProblemAsync(undefined, HttpStatusCode.BadRequest, "unknown-member");
        ((string)unknown["errors"]![0]!["path"]!).Should().Be("/favouriteColour");

        string id = await CreateAchievementAsync(client);
        JsonNode achievement = JsonNode.Parse(await app.CreateClient().GetStringAsync(id, Ct))!;
        ((string)achievement["name"]!).Should().Be("Intro to Welding");
        ((string)achievement["creator"]!["id"]!).Should().Be(BadgeIssuerApplication.IssuerId);
    }

    [Fact]
    public async Task Achievement_WithPngDataUri_IsBakedIntoPngDownload()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        byte[] png = BadgePngRenderer.Render(new BadgeSvgContent("Own", "Image"));
        string id = await CreateAchievementAsync(client, new
        {
            name = "Own image",
            description = "d",
            criteria = new { narrative = "x" },
            image = new { id = "data:image/png;base64," + Convert.ToBase64String(png), type = "Image", caption = "Our badge" },
        });
        JsonNode achievement = JsonNode.Parse(await client.GetStringAsync(id, Ct))!;
        ((string)achievement["image"]!["id"]!).Should().Be(id + "/image");
        (await client.GetByteArrayAsync(id + "/image", Ct)).Should().Equal(png);

        JsonNode award = await AwardAsync(client, id);
        byte[] baked = await client.GetByteArrayAsync((string)award["links"]!["png"]!, Ct);
        (baked.Length > png.Length).Should().BeTrue();
        baked.AsSpan(0, 33).ToArray().Should().Equal(png.AsSpan(0, 33).ToArray());
    }

    [Fact]
    public async Task VcApiIssue_SampleCredential_SignsAndVerifies()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        JsonObject credential = SampleCredential();

        using HttpResponseMessage response = await client.PostAsJsonAsync("/credentials/issue", new { credential, options = new { credentialStatus = new[] { new { type = "BitstringStatusListEntry", statusPurpose = "revocation" } } } }, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == HttpStatusCode.Created).Should().BeTrue(text);
        JsonNode vc = JsonNode.Parse(text)!["verifiableCredential"]!;
        // An Open Badge keeps one proof in an array (OB 3.0's JSON Schema); a plain VC gets an object (ProfileIssueTests).
        vc["proof"]!.GetValueKind().Should().Be(JsonValueKind.Array);
        ((string)vc["proof"]![0]!["cryptosuite"]!).Should().Be("eddsa-rdfc-2022");
        vc["credentialStatus"].Should().NotBeNull();
        JsonNode report = await VerifyAsync(client, Encoding.UTF8.GetBytes(vc.ToJsonString()), "application/vc+ld+json");
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());

        using HttpResponseMessage jwtResponse = await client.PostAsJsonAsync("/credentials/issue", new { credential = SampleCredential(), options = new { format = "jwt" } }, Ct);
        jwtResponse.StatusCode.Should().Be(HttpStatusCode.Created);
        JsonNode enveloped = JsonNode.Parse(await jwtResponse.Content.ReadAsStringAsync(Ct))!["verifiableCredential"]!;
        ((string)enveloped["type"]!).Should().Be("EnvelopedVerifiableCredential");
        string jwt = ((string)enveloped["id"]!)["data:application/vc+jwt,".Length..];
        ((bool)(await VerifyAsync(client, Encoding.ASCII.GetBytes(jwt), "application/vc+jwt"))["verified"]!).Should().BeTrue();
    }

    [Fact]
    public async Task VcApiIssue_BadCredentials_ReturnProblemsAndStoreNothing()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();

        JsonObject foreign = SampleCredential();
        foreign["issuer"]!["id"] = "did:web:elsewhere.example";
        await ProblemAsync(await client.PostAsJsonAsync("/credentials/issue", new { credential = foreign }, Ct), HttpStatusCode.NotFound, "issuer-not-found");

        JsonObject schema = SampleCredential();
        schema["credentialSubject"]!.AsObject().Remove("achievement");
        JsonNode schemaProblem = await ProblemAsync(await client.PostAsJsonAsync("/credentials/issue", new { credential = schema }, Ct), HttpStatusCode.UnprocessableEntity, "invalid-credential");
        schemaProblem["errors"]!.AsArray().Should().NotBeEmpty();

        JsonObject undefined = SampleCredential();
        undefined["credentialSubject"]!["favouriteColour"] = "blue";
        JsonNode term = await ProblemAsync(await client.PostAsJsonAsync("/credentials/issue", new { credential = undefined }, Ct), HttpStatusCode.UnprocessableEntity, "jsonld-error");
        ((string)term["detail"]!).Should().Contain("favouriteColour");

        JsonObject remote = SampleCredential();
        remote["@context"]!.AsArray().Add("https://example.org/unknown-context.jsonld");
        JsonNode context = await ProblemAsync(await client.PostAsJsonAsync("/credentials/issue", new { credential = remote }, Ct), HttpStatusCode.UnprocessableEntity, "jsonld-error");
        ((string)context["detail"]!).Should().Contain("unknown-context");

        JsonObject signed = SampleCredential();
        signed["proof"] = new JsonObject { ["type"] = "DataIntegrityProof" };
        await ProblemAsync(await client.PostAsJsonAsync("/credentials/issue", new { credential = signed }, Ct), HttpStatusCode.BadRequest, "invalid-request");
    }

    [Fact]
    public async Task VcApiIssue_Vc11Credential_GetsDataIntegrityContextAndVerifies()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        var credential = new JsonObject
        {
            ["@context"] = new JsonArray("https://www.w3.org/2018/credentials/v1"),
            ["type"] = new JsonArray("VerifiableCredential"),
            ["issuer"] = BadgeIssuerApplication.IssuerId,
            ["credentialSubject"] = new JsonObject { ["id"] = "did:example:ebfeb1f712ebc6f1c276e12ec21" },
        };
        using HttpResponseMessage response = await client.PostAsJsonAsync("/credentials/issue", new { credential }, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == HttpStatusCode.Created).Should().BeTrue(text);
        JsonNode vc = JsonNode.Parse(text)!["verifiableCredential"]!;
        vc["@context"]!.AsArray().Select(c => (string)c!).Should().Contain("https://w3id.org/security/data-integrity/v2");
        ((string)vc["issuanceDate"]!).Should().Be("2026-11-01T00:00:00Z");
        JsonNode report = await VerifyAsync(client, Encoding.UTF8.GetBytes(vc.ToJsonString()), "application/vc+ld+json");
        Check(report, "proof").Should().Be("passed");
        Check(report, "issuer-key").Should().Be("passed");
    }

    [Fact]
    public async Task Issuers_CreateDidKeyIssuerAndRotateKeys_OldCredentialsStillVerify()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        using HttpResponseMessage created = await client.PostAsJsonAsync("/issuers", new { name = "Key College", didMethod = "key", url = "https://key.example" }, Ct);
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        JsonNode keyIssuer = JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!;
        ((string)keyIssuer["id"]!).Should().StartWith("did:key:z6Mk");
        await ProblemAsync(await client.PostAsync("/issuers/key-college/keys/rotate", null, Ct), HttpStatusCode.Conflict, "conflict");
        await ProblemAsync(await client.PostAsJsonAsync("/issuers", new { name = "Key College" }, Ct), HttpStatusCode.Conflict, "conflict");

        string achievementId = await CreateAchievementAsync(client);
        JsonNode award = await AwardAsync(client, achievementId);
        using HttpResponseMessage rotated = await client.PostAsync("/issuers/default/keys/rotate", null, Ct);
        rotated.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonNode keys = JsonNode.Parse(await rotated.Content.ReadAsStringAsync(Ct))!;
        keys["keys"]!.AsArray().Count.Should().Be(4);
        keys["keys"]!.AsArray().Count(k => (bool)k!["current"]!).Should().Be(2);
        keys.ToJsonString().Should().NotContain("\"d\"");

        JsonNode did = JsonNode.Parse(await client.GetStringAsync("/issuers/default/did.json", Ct))!;
        did["assertionMethod"]!.AsArray().Count.Should().Be(4);
        JsonNode newAward = await AwardAsync(client, achievementId);
        ((string)newAward["credential"]!["proof"]![0]!["verificationMethod"]!).Should().NotBe((string)award["credential"]!["proof"]![0]!["verificationMethod"]!);
        foreach (JsonNode a in new[] { award, newAward })
        {
            JsonNode report = await VerifyAsync(client, Encoding.UTF8.GetBytes(a["credential"]!.ToJsonString()), "application/vc+ld+json");
            ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        }
    }

    internal static JsonObject SampleCredential() => new()
    {
        ["@context"] = new JsonArray("https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"),
        ["type"] = new JsonArray("VerifiableCredential", "OpenBadgeCredential"),
        ["issuer"] = new JsonObject { ["id"] = BadgeIssuerApplication.IssuerId, ["type"] = new JsonArray("Profile"), ["name"] = "BadgeIssuer Development Issuer" },
        ["validFrom"] = "2026-10-01T00:00:00Z",
        ["name"] = "Teamwork",
        ["credentialSubject"] = new JsonObject
        {
            ["id"] = "did:example:learner",
            ["type"] = new JsonArray("AchievementSubject"),
            ["achievement"] = new JsonObject
            {
                ["id"] = "https://example.org/achievements/teamwork",
                ["type"] = new JsonArray("Achievement"),
                ["name"] = "Teamwork",
                ["description"] = "Works well with others.",
                ["criteria"] = new JsonObject { ["narrative"] = "Completed the group project." },
            },
        },
    };
}

public sealed class PublicUrlTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", "http://localhost:5080", "did:web:localhost%3A5080:issuers:x")]
    [InlineData("http://*:8080;https://0.0.0.0:8443", "http://localhost:8080", "did:web:localhost%3A8080:issuers:x")]
    [InlineData("https://badges.example.edu", "https://badges.example.edu", "did:web:badges.example.edu:issuers:x")]
    public void PublicUrls_FromListeningUrl_UsesHostNameForDidWeb(string urls, string expectedBase, string expectedDid)
    {
        var configuration = Microsoft.Extensions.Configuration.MemoryConfigurationBuilderExtensions.AddInMemoryCollection(new Microsoft.Extensions.Configuration.ConfigurationBuilder(),
                new Dictionary<string, string?>(StringComparer.Ordinal) { ["urls"] = urls })
            .Build();
        var publicUrls = new Api.Infrastructure.PublicUrls(Microsoft.Extensions.Options.Options.Create(new Api.Infrastructure.BadgeIssuerOptions()), configuration);

        publicUrls.Base.Should().Be(expectedBase);
        publicUrls.DidWeb("x").Should().Be(expectedDid);
        publicUrls.HasDnsHost.Should().BeTrue();
    }

    [Fact]
    public async Task CreateIssuer_DidWebUnderIpBaseUrl_Returns409()
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:PublicBaseUrl", "http://127.0.0.1:5080"), ("BadgeIssuer:Bootstrap:IssuerDidMethod", "key"));
        using HttpClient client = app.CreateAuthorizedClient();
        using HttpResponseMessage response = await client.PostAsJsonAsync("/issuers", new { name = "IP College", didMethod = "web" }, TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Contain("DNS host");
    }
}
