using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Storage;
using Microsoft.Extensions.DependencyInjection;
using static BadgeIssuer.Api.Tests.Pathways.PathwayKit;

namespace BadgeIssuer.Api.Tests.Pathways;

/// <summary>Declaring a pathway on an achievement: stored beside it, returned by GET …/pathway, every refusal a problem with its path.</summary>
public sealed class PathwayDeclarationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pathway_IsStoredBesideTheAchievement_NeverInItsDocumentOrItsCredentials()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string a = await CreateAsync(client, "Part A");
        string b = await CreateAsync(client, "Part B");

        using HttpResponseMessage created = await client.PostAsJsonAsync("/achievements",
            Achievement("Certificate", new { rule = "nOf", n = 1, parts = new[] { b, a }, autoAward = true }), Ct);
        string createdText = await created.Content.ReadAsStringAsync(Ct);
        created.StatusCode.Should().Be(HttpStatusCode.Created, createdText);
        string composite = (string)JsonNode.Parse(createdText)!["id"]!;

        createdText.Should().NotContain("pathway");
        (await client.GetStringAsync(composite, Ct)).Should().NotContain("pathway").And.NotContain("autoAward");
        (await client.GetStringAsync("/achievements", Ct)).Should().NotContain("pathway");
        using HttpClient anonymous = app.CreateClient();
        JsonNode pathway = await GetJsonAsync(anonymous, composite + "/pathway");
        pathway.ToJsonString().Should().Be(new JsonObject
        {
            ["achievementId"] = composite,
            ["rule"] = "nOf",
            ["n"] = 1,
            ["parts"] = new JsonArray(b, a),
            ["autoAward"] = true,
        }.ToJsonString());

        // Awarded by hand too, its credential carries the OB achievement only, and verifies (JSON-LD safe mode and all).
        JsonNode award = await AwardAsync(client, composite, "grace@example.org");
        award["credential"]!["credentialSubject"]!["achievement"]!.ToJsonString().Should().NotContain("pathway");
        ((bool)(await VerifyAsync(client, award["credential"]!.ToJsonString()))["verified"]!).Should().BeTrue();

        // Without a pathway, GET …/pathway is a 404 problem; an unknown achievement too.
        await GetJsonAsync(anonymous, a + "/pathway", HttpStatusCode.NotFound);
        await GetJsonAsync(anonymous, "/achievements/nope/pathway", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Put_ReplacesThePathway_WithoutOneKeepsIt_AndNullRemovesIt()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string a = await CreateAsync(client, "Part A");
        string b = await CreateAsync(client, "Part B");
        string composite = await CreateAsync(client, "Certificate", new { rule = "allOf", parts = new[] { a } });
        ((bool)(await GetJsonAsync(client, composite + "/pathway"))["autoAward"]!).Should().BeFalse("autoAward is opt-in");

        using (HttpResponseMessage replaced = await client.PutAsJsonAsync(composite, Achievement("Certificate", new { rule = "allOf", parts = new[] { a, b }, autoAward = true }), Ct))
        {
            replaced.StatusCode.Should().Be(HttpStatusCode.OK, await replaced.Content.ReadAsStringAsync(Ct));
        }

        JsonNode pathway = await GetJsonAsync(client, composite + "/pathway");
        ((int)pathway["n"]!).Should().Be(2, "allOf requires every part");
        pathway["parts"]!.ToJsonString().Should().Be(new JsonArray(a, b).ToJsonString());

        using (HttpResponseMessage plain = await client.PutAsJsonAsync(composite, Achievement("Certificate"), Ct))
        {
            plain.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await GetJsonAsync(client, composite + "/pathway"))["parts"]!.ToJsonString().Should().Be(new JsonArray(a, b).ToJsonString(), "a PUT without pathway keeps it");

        using (HttpResponseMessage removed = await client.PutAsync(composite,
            new StringContent("""{"name":"Certificate","description":"The Certificate badge.","criteria":{"narrative":"Complete Certificate."},"pathway":null}""", System.Text.Encoding.UTF8, "application/json"), Ct))
        {
            removed.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await GetJsonAsync(client, composite + "/pathway", HttpStatusCode.NotFound);
    }

    public static TheoryData<string, string> MalformedPathways => new()
    {
        { """ "allOf" """, "/pathway: pathway must be an object" },
        { """{"parts":["https://example.org/a"]}""", "/pathway/rule: required" },
        { """{"rule":"anyOf","parts":["https://example.org/a"]}""", "/pathway/rule: rule must be allOf or nOf" },
        { """{"rule":"allOf"}""", "/pathway/parts: required" },
        { """{"rule":"allOf","parts":"https://example.org/a"}""", "/pathway/parts: parts must be an array" },
        { """{"rule":"allOf","parts":[]}""", "/pathway/parts: A pathway has 1 to 3 parts" },
        { """{"rule":"allOf","parts":["https://example.org/a","https://example.org/b","https://example.org/c","https://example.org/d"]}""", "/pathway/parts: A pathway has 1 to 3 parts (BadgeIssuer:Pathways:MaxParts); this one has 4" },
        { """{"rule":"allOf","parts":[7]}""", "/pathway/parts/0: A part is an achievement id (a string)" },
        { """{"rule":"allOf","parts":["not a url"]}""", "/pathway/parts/0: A part is an achievement id: the achievement's URL" },
        // A control character (NUL among them, which PostgreSQL text cannot hold) is no part of a URL.
        { """{"rule":"allOf","parts":["https://example.org/achievements/a\u0000b"]}""", "/pathway/parts/0: A part is an achievement id: the achievement's URL" },
        { """{"rule":"allOf","parts":["https://example.org/achievements/a\u0007b"]}""", "/pathway/parts/0: A part is an achievement id: the achievement's URL" },
        { """{"rule":"allOf","parts":["https://example.org/a","https://example.org/a"]}""", "/pathway/parts/1: This part is named twice" },
        { """{"rule":"nOf","parts":["https://example.org/a"]}""", "/pathway/n: required for nOf" },
        { """{"rule":"nOf","n":0,"parts":["https://example.org/a"]}""", "/pathway/n: n must be between 1 and the number of parts (1); it is 0" },
        { """{"rule":"nOf","n":3,"parts":["https://example.org/a","https://example.org/b"]}""", "/pathway/n: n must be between 1 and the number of parts (2); it is 3" },
        { """{"rule":"nOf","n":1.5,"parts":["https://example.org/a"]}""", "/pathway/n: n must be a whole number" },
        { """{"rule":"allOf","n":1,"parts":["https://example.org/a"]}""", "/pathway/n: n belongs to nOf" },
        { """{"rule":"allOf","parts":["https://example.org/a"],"autoAward":"yes"}""", "/pathway/autoAward: autoAward must be true or false" },
    };

    [Theory]
    [MemberData(nameof(MalformedPathways))]
    public async Task MalformedPathway_Is422InvalidPathway_NamingThePath(string pathway, string expected)
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:Pathways:MaxParts", "3"));
        using HttpClient client = app.CreateAuthorizedClient();
        using var content = new StringContent(
            $$"""{"name":"Certificate","description":"d","criteria":{"narrative":"n"},"pathway":{{pathway}}}""", System.Text.Encoding.UTF8, "application/json");

        using HttpResponseMessage response = await client.PostAsync("/achievements", content, Ct);

        (await ProblemErrorsAsync(response, HttpStatusCode.UnprocessableEntity, "invalid-pathway")).Should().Contain(expected);
        (await client.GetStringAsync("/achievements", Ct)).Should().NotContain("Certificate", "nothing is stored");
    }

    [Fact]
    public async Task PathwayMembers_UnknownOrTooLong_AreTheUsualProblems()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();

        using HttpResponseMessage typo = await client.PostAsJsonAsync("/achievements", Achievement("C", new { rule = "allOf", parts = new[] { "https://example.org/a" }, autoaward = true }), Ct);
        (await ProblemErrorsAsync(typo, HttpStatusCode.BadRequest, "unknown-member")).Should().Contain("/pathway/autoaward");

        using HttpResponseMessage tooLong = await client.PostAsJsonAsync("/achievements", Achievement("C", new { rule = "allOf", parts = new[] { "https://example.org/" + new string('a', 2100) } }), Ct);
        (await ProblemErrorsAsync(tooLong, HttpStatusCode.BadRequest, "field-too-long")).Should().Contain("/pathway/parts/0");
    }

    [Fact]
    public async Task UnknownPart_ForeignIssuersAchievement_AndSelf_AreRefusedWithTheirPaths()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        using (HttpResponseMessage other = await client.PostAsJsonAsync("/issuers", new { name = "Other College", slug = "other" }, Ct))
        {
            other.StatusCode.Should().Be(HttpStatusCode.Created);
        }

        string otherIssuer = (string)(await GetJsonAsync(client, "/issuers/other"))["id"]!;
        string foreign = await CreateAsync(client, "Their badge", issuerId: otherIssuer);
        string own = await CreateAsync(client, "Our badge");
        string unknown = BadgeIssuerApplication.BaseUrl + "/achievements/no-such-one";

        using HttpResponseMessage response = await client.PostAsJsonAsync("/achievements", Achievement("Certificate", new { rule = "allOf", parts = new[] { own, unknown, foreign } }), Ct);

        string errors = await ProblemErrorsAsync(response, HttpStatusCode.UnprocessableEntity, "invalid-pathway");
        errors.Should().Contain($"/pathway/parts/1: No achievement '{unknown}'.");
        errors.Should().Contain($"/pathway/parts/2: '{foreign}' is another issuer's achievement");
        errors.Should().NotContain("/pathway/parts/0");

        using HttpResponseMessage self = await client.PutAsJsonAsync(own, Achievement("Our badge", new { rule = "allOf", parts = new[] { own } }), Ct);
        (await ProblemErrorsAsync(self, HttpStatusCode.UnprocessableEntity, "invalid-pathway")).Should().Be("/pathway/parts/0: An achievement cannot be a part of itself.");
    }

    [Fact]
    public async Task Cycle_IsRefused_NamingTheChain_AndNothingChanges()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string leaf = await CreateAsync(client, "Leaf");
        string a = await CreateAsync(client, "A");
        string b = await CreateAsync(client, "B", new { rule = "allOf", parts = new[] { a } });
        string c = await CreateAsync(client, "C", new { rule = "allOf", parts = new[] { b } });

        using HttpResponseMessage response = await client.PutAsJsonAsync(a, Achievement("A", new { rule = "nOf", n = 1, parts = new[] { leaf, c } }), Ct);

        (await ProblemErrorsAsync(response, HttpStatusCode.UnprocessableEntity, "invalid-pathway"))
            .Should().Be($"/pathway/parts/1: This part leads back to this achievement, a cycle: this achievement → {c} → {b} → this achievement.");
        await GetJsonAsync(client, a + "/pathway", HttpStatusCode.NotFound);
        ((string)(await GetJsonAsync(client, a))["name"]!).Should().Be("A");
    }

    [Fact]
    public async Task Nesting_BeyondMaxDepth_IsRefused_BelowAndAbove()
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:Pathways:MaxDepth", "2"));
        using HttpClient client = app.CreateAuthorizedClient();
        string leaf = await CreateAsync(client, "Leaf");
        string level1 = await CreateAsync(client, "Level 1", new { rule = "allOf", parts = new[] { leaf } });
        string level2 = await CreateAsync(client, "Level 2", new { rule = "allOf", parts = new[] { level1 } });

        // Below: a third level on top.
        using HttpResponseMessage below = await client.PostAsJsonAsync("/achievements", Achievement("Level 3", new { rule = "allOf", parts = new[] { level2 } }), Ct);
        (await ProblemErrorsAsync(below, HttpStatusCode.UnprocessableEntity, "invalid-pathway")).Should().Contain("/pathway/parts: Pathways would nest more than 2 levels deep");

        // Above: the leaf becomes a pathway, under two levels already.
        string other = await CreateAsync(client, "Other");
        using HttpResponseMessage above = await client.PutAsJsonAsync(leaf, Achievement("Leaf", new { rule = "allOf", parts = new[] { other } }), Ct);
        (await ProblemErrorsAsync(above, HttpStatusCode.UnprocessableEntity, "invalid-pathway")).Should().Contain("This achievement is itself a part, 2 level(s) down");

        // Within the bound it is fine.
        using HttpResponseMessage within = await client.PutAsJsonAsync(level1, Achievement("Level 1", new { rule = "allOf", parts = new[] { leaf, other } }), Ct);
        within.StatusCode.Should().Be(HttpStatusCode.OK, await within.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Part_InMaxPartOfPathwaysAlready_IsRefused()
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:Pathways:MaxPartOf", "2"));
        using HttpClient client = app.CreateAuthorizedClient();
        string shared = await CreateAsync(client, "Shared");
        string first = await CreateAsync(client, "First", new { rule = "allOf", parts = new[] { shared } });
        await CreateAsync(client, "Second", new { rule = "allOf", parts = new[] { shared } });

        using HttpResponseMessage third = await client.PostAsJsonAsync("/achievements", Achievement("Third", new { rule = "allOf", parts = new[] { shared } }), Ct);
        (await ProblemErrorsAsync(third, HttpStatusCode.UnprocessableEntity, "invalid-pathway"))
            .Should().Contain($"/pathway/parts/0: '{shared}' is already a part of 2 pathways, the most one achievement may be in (BadgeIssuer:Pathways:MaxPartOf = 2).");

        // Replacing a pathway that already holds the part does not count it twice.
        using HttpResponseMessage replaced = await client.PutAsJsonAsync(first, Achievement("First", new { rule = "allOf", parts = new[] { shared }, autoAward = true }), Ct);
        replaced.StatusCode.Should().Be(HttpStatusCode.OK, await replaced.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task CheckingAPathway_ThatReachesMoreThanAThousandAchievements_IsRefused_BelowAndAbove()
    {
        // Graphs this large cannot be declared through the API with the default bounds; written straight to storage.
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        IBadgeStorage storage = app.Services.GetRequiredService<IBadgeStorage>();
        DateTimeOffset now = BadgeIssuerApplication.Now;
        async Task<string> StoredAsync(string name)
        {
            string id = BadgeIssuerApplication.BaseUrl + "/achievements/" + name;
            await storage.Achievements.CreateAsync(new AchievementRecord(id, BadgeIssuerApplication.IssuerId, "{}", now, now), Ct);
            return id;
        }

        var modules = new List<string>();
        for (int m = 0; m < 6; m++)
        {
            var leaves = new List<string>();
            for (int i = 0; i < 200; i++)
            {
                leaves.Add(await StoredAsync($"leaf-{m}-{i}"));
            }

            string module = await StoredAsync($"module-{m}");
            await storage.Achievements.SetPathwayAsync(module, new PathwayRecord(module, "allOf", 200, leaves, false, now), Ct);
            modules.Add(module);
        }

        using HttpResponseMessage below = await client.PostAsJsonAsync("/achievements", Achievement("Programme", new { rule = "allOf", parts = modules }), Ct);
        (await ProblemErrorsAsync(below, HttpStatusCode.UnprocessableEntity, "invalid-pathway"))
            .Should().Be("/pathway/parts: The pathways below this one reach more than 1000 achievements.");

        string shared = await CreateAsync(client, "Shared");
        for (int i = 0; i < 1001; i++)
        {
            string composite = await StoredAsync($"holder-{i}");
            await storage.Achievements.SetPathwayAsync(composite, new PathwayRecord(composite, "allOf", 1, [shared], false, now), Ct);
        }

        string leaf = await CreateAsync(client, "Leaf");
        using HttpResponseMessage above = await client.PutAsJsonAsync(shared, Achievement("Shared", new { rule = "allOf", parts = new[] { leaf } }), Ct);
        (await ProblemErrorsAsync(above, HttpStatusCode.UnprocessableEntity, "invalid-pathway"))
            .Should().Be("/pathway/parts: The pathways above this achievement reach more than 1000 achievements.");
    }

    [Fact]
    public async Task RelatedAndAlignment_AreKeptInTheAchievementAndInIssuedCredentials()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string earlier = await CreateAsync(client, "Welding 2025");
        using HttpResponseMessage created = await client.PostAsJsonAsync("/achievements", new
        {
            name = "Welding 2026",
            description = "d",
            criteria = new { narrative = "n" },
            related = new[] { new { id = earlier, type = new[] { "Related" }, version = "2025", inLanguage = "en" } },
            alignment = new[] { new { type = new[] { "Alignment" }, targetName = "ESCO welder", targetUrl = "http://data.europa.eu/esco/occupation/7212", targetFramework = "ESCO", targetType = "ceasn:Competency" } },
        }, Ct);
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));
        string achievementId = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!["id"]!;

        JsonNode award = await AwardAsync(client, achievementId);

        JsonNode achievement = award["credential"]!["credentialSubject"]!["achievement"]!;
        ((string)achievement["related"]![0]!["id"]!).Should().Be(earlier);
        ((string)achievement["related"]![0]!["version"]!).Should().Be("2025");
        ((string)achievement["alignment"]![0]!["targetFramework"]!).Should().Be("ESCO");
        ((string)achievement["alignment"]![0]!["targetType"]!).Should().Be("ceasn:Competency");
        JsonNode report = await VerifyAsync(client, award["credential"]!.ToJsonString());
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
    }
}
