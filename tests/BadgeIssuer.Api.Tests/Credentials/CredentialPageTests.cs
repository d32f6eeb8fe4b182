using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BadgeIssuer.Api.Features.Credentials;
using BadgeIssuer.Api.Tests.Issue;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace BadgeIssuer.Api.Tests.Credentials;

/// <summary>
/// The credential page (<c>GET /credentials/{id}</c> for browsers): content negotiation that leaves JSON clients as
/// they were, the page's headers and policy, what it shows and never shows, hostile content, the live verdict, the 404
/// page, and the LinkedIn link. The same page in a real browser: <see cref="CredentialPageBrowserTests"/>.
/// </summary>
public sealed class CredentialPageTests
{
    /// <summary>What Chromium sends for a page it navigates to.</summary>
    internal const string BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string url, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return await client.SendAsync(request, Ct);
    }

    private static async Task<string> PageAsync(HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using HttpResponseMessage response = await GetAsync(client, url, BrowserAccept);
        string html = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == expected).Should().BeTrue($"{response.StatusCode}: {html}");
        (response.Content.Headers.ContentType?.ToString()).Should().Be("text/html; charset=utf-8");
        return html;
    }

    /// <summary>The decoded text of the element with this id (the page writes them without nested ids).</summary>
    private static string TextById(string html, string id)
    {
        Match match = Regex.Match(html, $"<(\\w+)[^>]* id=\"{id}\"[^>]*>(.*?)</\\1>", RegexOptions.Singleline);
        match.Success.Should().BeTrue($"the page has an element #{id}:\n{html}");
        return WebUtility.HtmlDecode(Regex.Replace(match.Groups[2].Value, "<[^>]+>", string.Empty));
    }

    private static string? Meta(string html, string property)
    {
        Match match = Regex.Match(html, $"<meta property=\"{Regex.Escape(property)}\" content=\"([^\"]*)\">");
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;
    }

    private static async Task<string> VerdictOfAsync(HttpClient client, string credentialId)
    {
        string json = await client.GetStringAsync(credentialId + ".json", Ct);
        using var content = new StringContent(json, Encoding.UTF8, "application/vc+ld+json");
        using HttpResponseMessage response = await client.PostAsync("/credentials/verify", content, Ct);
        return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["verdict"]!;
    }

    [Fact]
    public async Task CredentialUrl_JsonClients_GetExactlyTheJsonAsBefore_BrowsersGetThePage()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        string credentialId = (string)(await IssuingApiTests.AwardAsync(client, achievementId))["credentialId"]!;
        byte[] stored = await client.GetByteArrayAsync(credentialId + ".json", Ct);

        foreach ((string? accept, string expected) in new (string?, string)[]
        {
            (null, "application/vc+ld+json"),
            ("*/*", "application/vc+ld+json"),
            ("application/json", "application/json"),
            ("application/ld+json", "application/ld+json"),
            ("application/vc+ld+json", "application/vc+ld+json"),
            ("application/*", "application/vc+ld+json"),
            ("application/json, text/html", "application/json"),
            ("text/html;q=0.5, application/json", "application/json"),
        })
        {
            using HttpResponseMessage response = await GetAsync(client, credentialId, accept);
            response.StatusCode.Should().Be(HttpStatusCode.OK, accept);
            (response.Content.Headers.ContentType?.MediaType).Should().Be(expected, accept);
            (await response.Content.ReadAsByteArrayAsync(Ct)).Should().Equal(stored, accept);
            response.Headers.Vary.Should().Equal(["Accept"], accept);
            response.Headers.GetValues("Content-Security-Policy").Single().Should().Be("default-src 'none'; frame-ancestors 'none'; sandbox", accept);
        }

        foreach (string accept in new[] { BrowserAccept, "text/html", "application/json;q=0.5, text/html" })
        {
            using HttpResponseMessage page = await GetAsync(client, credentialId, accept);
            page.StatusCode.Should().Be(HttpStatusCode.OK, accept);
            (page.Content.Headers.ContentType?.ToString()).Should().Be("text/html; charset=utf-8", accept);
            page.Headers.Vary.Should().Equal(["Accept"], accept);
        }

        // The page named explicitly answers whatever Accept says (a link to share with crawlers that send */*).
        using HttpResponseMessage named = await GetAsync(client, credentialId + ".html", "*/*");
        (named.Content.Headers.ContentType?.ToString()).Should().Be("text/html; charset=utf-8");
    }

    [Fact]
    public async Task Page_Headers_StrictPolicyWhoseHashIsTheInlineStyle_NoScript()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        string credentialId = (string)(await IssuingApiTests.AwardAsync(client, achievementId))["credentialId"]!;

        using HttpResponseMessage response = await GetAsync(client, credentialId, BrowserAccept);
        string html = await response.Content.ReadAsStringAsync(Ct);
        string style = Regex.Match(html, "<style>(.*?)</style>", RegexOptions.Singleline).Groups[1].Value;
        string hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style)));
        response.Headers.GetValues("Content-Security-Policy").Single().Should().Be(
            $"default-src 'none'; img-src 'self' data:; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        response.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
        response.Headers.GetValues("X-Frame-Options").Single().Should().Be("DENY");
        response.Headers.GetValues("Referrer-Policy").Single().Should().Be("no-referrer");
        response.Headers.GetValues("X-Robots-Tag").Single().Should().Be("noindex");
        response.Headers.CacheControl!.NoCache.Should().BeTrue();

        html.Should().StartWith("<!DOCTYPE html>\n<html lang=\"en\">");
        html.Should().NotContainEquivalentOf("<script").And.NotContain(" style=\"");
        Regex.IsMatch(html, "<[^>]* on[a-z]+=", RegexOptions.IgnoreCase).Should().BeFalse("no element has an event handler attribute");
        Regex.Count(html, "<style>").Should().Be(1);
        // Landmarks and one h1; every image has alt text; no resource from elsewhere (links are navigations, not loads).
        html.Should().Contain("<header>").And.Contain("<main>").And.Contain("<footer>");
        Regex.Count(html, "<h1[ >]").Should().Be(1);
        Regex.Count(html, "<img [^>]*alt=\"[^\"]+\"").Should().Be(Regex.Count(html, "<img "));
        Regex.Matches(html, " src=\"([^\"]*)\"").Select(m => m.Groups[1].Value).Should().AllSatisfy(src => src.Should().NotContain(":"));
    }

    [Fact]
    public async Task Page_ShowsBadgeIssuerRecipientDateVerdictDownloadsAndLinkedIn_NeverTheEmail()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        using HttpResponseMessage profile = await client.PutAsJsonAsync("/issuers/default", new { name = "Acme College", url = "https://acme.example/about" }, Ct);
        profile.StatusCode.Should().Be(HttpStatusCode.OK);
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId, extra: new { achievementId, recipient = new { email = "ada@example.org", name = "Ada Lovelace" }, format = "both" });
        string credentialId = (string)award["credentialId"]!;
        string localId = credentialId[(BadgeIssuerApplication.BaseUrl + "/credentials/").Length..];
        string salt = (string)award["credential"]!["credentialSubject"]!["identifier"]!.AsArray()
            .First(i => (string)i!["identityType"]! == "emailAddress")!["salt"]!;

        string html = await PageAsync(client, credentialId);

        TextById(html, "name").Should().Be("Intro to Welding");
        html.Should().Contain("<title>Intro to Welding — Acme College</title>");
        html.Should().Contain("<a href=\"https://acme.example/about\" rel=\"nofollow noopener noreferrer\"><bdi>Acme College</bdi></a>");
        html.Should().Contain("<dt>Awarded to</dt>\n<dd><bdi>Ada Lovelace</bdi></dd>");
        html.Should().Contain("<dt>Issued on</dt>\n<dd><time datetime=\"2026-11-01\">2026-11-01</time></dd>");
        html.Should().Contain("Safe MIG welding basics.").And.Contain("Pass the practical assessment.").And.Contain("<p class=\"muted\">Certificate</p>");
        html.Should().Contain($"<img src=\"{localId}.png\" alt=\"Badge image: Intro to Welding\"");

        // The verdict is the verify endpoint's sentence for the stored credential, read at request time.
        string verdict = TextById(html, "verdict");
        verdict.Should().Be(await VerdictOfAsync(client, credentialId));
        verdict.Should().Be("Valid: 'Intro to Welding', issued by 'Acme College' to 'Ada Lovelace' on 2026-11-01, not revoked.");
        html.Should().Contain("<section class=\"verdict valid\"").And.Contain("Checked by this service on 2026-11-01 00:00 UTC");

        // Downloads, relative to the page (so they load from wherever the page was reached).
        foreach (string ext in new[] { ".json", ".jwt", ".png", ".svg" })
        {
            html.Should().Contain($"<a href=\"{localId}{ext}\">");
        }

        // The LinkedIn link is the one the award answered with, and its certUrl is this page's address.
        string linkedIn = WebUtility.HtmlDecode(Regex.Match(html, "<a id=\"linkedin\" href=\"([^\"]*)\"").Groups[1].Value);
        linkedIn.Should().Be((string)award["links"]!["linkedIn"]!);
        QueryHelpers.ParseQuery(new Uri(linkedIn).Query)["certUrl"].ToString().Should().Be(credentialId);

        // Open Graph: the badge PNG this service serves, absolute; the page's own link.
        Meta(html, "og:title").Should().Be("Intro to Welding");
        Meta(html, "og:description").Should().Be("Open Badge issued by Acme College: Safe MIG welding basics.");
        Meta(html, "og:url").Should().Be(credentialId + ".html");
        string image = Meta(html, "og:image")!;
        image.Should().Be(credentialId + ".png");
        using HttpResponseMessage png = await client.GetAsync(image, Ct);
        (png.Content.Headers.ContentType?.MediaType).Should().Be("image/png");

        // Never the address, its salted hash or the salt.
        html.Should().NotContainEquivalentOf("ada@example.org").And.NotContain("sha256$").And.NotContain(salt);
    }

    [Fact]
    public async Task LinkedInLink_ExactQuery()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        using HttpResponseMessage profile = await client.PutAsJsonAsync("/issuers/default", new { name = "Acme & Sons College" }, Ct);
        profile.StatusCode.Should().Be(HttpStatusCode.OK);
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId);
        string credentialId = (string)award["credentialId"]!;
        string localId = credentialId[(BadgeIssuerApplication.BaseUrl + "/credentials/").Length..];

        string expected = "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=Intro%20to%20Welding"
            + "&organizationName=Acme%20%26%20Sons%20College&issueYear=2026&issueMonth=11"
            + "&certUrl=http%3A%2F%2Flocalhost%2Fcredentials%2F" + localId + "&certId=" + localId;
        ((string)award["links"]!["linkedIn"]!).Should().Be(expected);
        string html = await PageAsync(client, credentialId);
        html.Should().Contain("<a id=\"linkedin\" href=\"" + expected.Replace("&", "&amp;", StringComparison.Ordinal) + "\"");
    }

    [Fact]
    public async Task Page_HostileContent_IsEncodedStrippedOfBidiControlsAndNeverALink()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        const string Issuer = "Acme \"College\" <b>&</b> 'x'";
        using HttpResponseMessage profile = await client.PutAsJsonAsync("/issuers/default", new { name = Issuer, url = "https://acme.example/?a=1&b=\"><script>alert(1)</script>" }, Ct);
        (profile.StatusCode == HttpStatusCode.OK).Should().BeTrue(await profile.Content.ReadAsStringAsync(Ct));
        const string Name = "<script>alert('x')</script> \"Welding\" & ש ל ו ם";
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client, new
        {
            name = Name,
            description = "</p><img src=x onerror=alert(1)>\nsecond line",
            criteria = new { narrative = "<style>body{display:none}</style>", id = "javascript:alert(1)" },
        });
        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId, extra: new { achievementId, recipient = new { email = "a@example.org", name = "\u202Eevil\u202C <i>Ada</i>" } });
        string credentialId = (string)award["credentialId"]!;

        string html = await PageAsync(client, credentialId);

        // Nothing from the credential became markup: one style element (the page's), no script, no handler, no
        // link to a javascript: URL; the text reads as written.
        html.Should().NotContainEquivalentOf("<script").And.NotContain("<img src=x").And.NotContain("<b>").And.NotContain("<i>");
        Regex.Count(html, "<style>").Should().Be(1);
        html.Should().NotContainEquivalentOf("javascript:alert(1)\"").And.NotContain("href=\"javascript");
        TextById(html, "name").Should().Be(Name);
        html.Should().Contain("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &quot;Welding&quot; &amp; ש ל ו ם");
        html.Should().Contain("<p class=\"text\" dir=\"auto\">&lt;/p&gt;&lt;img src=x onerror=alert(1)&gt;&#xA;second line</p>");
        html.Should().Contain("href=\"https://acme.example/?a=1&amp;b=%22%3E%3Cscript%3Ealert(1)%3C/script%3E\"");
        Meta(html, "og:title").Should().Be(Name);

        // The recipient's name without its right-to-left override, isolated from what surrounds it.
        html.Should().Contain("<dd><bdi>evil &lt;i&gt;Ada&lt;/i&gt;</bdi></dd>");
        html.Should().NotContain("\u202E");
        TextById(html, "verdict").Should().Be(await VerdictOfAsync(client, credentialId));
    }

    [Fact]
    public async Task Page_RevokedSuspendedExpired_ShowTheVerdictWithoutLinkedIn()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);

        string revoked = (string)(await IssuingApiTests.AwardAsync(client, achievementId))["credentialId"]!;
        using (HttpResponseMessage revoke = await client.PostAsJsonAsync(revoked + "/revoke", new { reason = "issued in error" }, Ct))
        {
            revoke.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        string suspended = (string)(await IssuingApiTests.AwardAsync(client, achievementId, extra: new { achievementId, recipient = new { email = "s@example.org" }, status = new[] { "suspension" } }))["credentialId"]!;
        using (HttpResponseMessage suspend = await client.PostAsync(suspended + "/suspend", null, Ct))
        {
            suspend.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        string expired = (string)(await IssuingApiTests.AwardAsync(client, achievementId, extra: new
        {
            achievementId,
            recipient = new { email = "e@example.org" },
            validFrom = "2026-09-01T00:00:00Z",
            validUntil = "2026-10-01T00:00:00Z",
        }))["credentialId"]!;

        foreach ((string credentialId, string verdict) in new[]
        {
            (revoked, "Not valid: revoked on 2026-11-01 (reason: issued in error)."),
            (suspended, "Not valid: suspended on 2026-11-01."),
            (expired, "Not valid: expired: validUntil was 2026-10-01T00:00:00Z."),
        })
        {
            string html = await PageAsync(client, credentialId);
            TextById(html, "verdict").Should().Be(verdict);
            verdict.Should().Be(await VerdictOfAsync(client, credentialId));
            html.Should().Contain("<section class=\"verdict invalid\"").And.NotContain("linkedin.com");
            TextById(html, "name").Should().Be("Intro to Welding");
            html.Should().Contain(".json\">");
        }

        (await PageAsync(client, expired)).Should().Contain("<dt>Valid until</dt>\n<dd><time datetime=\"2026-10-01\">2026-10-01</time></dd>");
    }

    [Fact]
    public async Task Page_StoredCredentialAlteredAfterSigning_ShowsNothingItClaims()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        string credentialId = (string)(await IssuingApiTests.AwardAsync(client, achievementId))["credentialId"]!;

        var builder = new SqliteConnectionStringBuilder { DataSource = Path.Combine(app.DataDirectory, "badgeissuer.db"), Pooling = false };
        await using (var connection = new SqliteConnection(builder.ToString()))
        {
            await connection.OpenAsync(Ct);
            await using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "UPDATE credentials SET signed_json = replace(signed_json, 'Intro to Welding', 'Forged Degree') WHERE id = $id";
            command.Parameters.AddWithValue("$id", credentialId);
            (await command.ExecuteNonQueryAsync(Ct)).Should().Be(1);
        }

        string html = await PageAsync(client, credentialId);
        TextById(html, "verdict").Should().StartWith("Not valid: the signature does not match the content");
        html.Should().NotContain("Forged Degree").And.NotContain("Intro to Welding").And.NotContain("linkedin.com");
        TextById(html, "name").Should().Be("Open Badge");
    }

    [Fact]
    public async Task UnknownCredential_BrowsersGetA404Page_JsonClientsAProblem()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        const string Unknown = BadgeIssuerApplication.BaseUrl + "/credentials/AAAAAAAAAAAAAAAAAAAAAA";

        foreach (string url in new[] { Unknown, Unknown + ".html", Unknown + ".exe" })
        {
            using HttpResponseMessage page = await GetAsync(client, url, BrowserAccept);
            string html = await page.Content.ReadAsStringAsync(Ct);
            page.StatusCode.Should().Be(HttpStatusCode.NotFound, url);
            (page.Content.Headers.ContentType?.ToString()).Should().Be("text/html; charset=utf-8", url);
            html.Should().Contain("<h1>Credential not found</h1>").And.Contain("<html lang=\"en\">").And.Contain("<main>");
            page.Headers.GetValues("Content-Security-Policy").Single().Should().Be(CredentialPage.Policy);
            page.Headers.Vary.Should().Equal(["Accept"], url);
        }

        foreach ((string url, string? accept, string code) in new (string, string?, string)[]
        {
            (Unknown, null, "credential-not-found"),
            (Unknown, "application/json", "credential-not-found"),
            (Unknown, "*/*", "credential-not-found"),
            (Unknown + ".json", BrowserAccept, "credential-not-found"),
            (Unknown + ".exe", null, "not-found"),
        })
        {
            using HttpResponseMessage problem = await GetAsync(client, url, accept);
            problem.StatusCode.Should().Be(HttpStatusCode.NotFound, url);
            (problem.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json", url);
            ((string)JsonNode.Parse(await problem.Content.ReadAsStringAsync(Ct))!["code"]!).Should().Be(code, url);
            problem.Headers.Vary.Should().Equal(["Accept"], url);
        }
    }

    [Fact]
    public async Task JwtOnlyCredential_PageVerifiesTheJwt()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        string credentialId = (string)(await IssuingApiTests.AwardAsync(client, achievementId, extra: new { achievementId, recipient = new { email = "j@example.org" }, format = "jwt" }))["credentialId"]!;

        string html = await PageAsync(client, credentialId);
        TextById(html, "verdict").Should().StartWith("Valid: 'Intro to Welding'");
        html.Should().Contain(".jwt\">").And.NotContain(".json\">").And.NotContain("application/vc+ld+json");
    }

    [Fact]
    public async Task DownloadEndpoint_HasTheVerifyTimeout_AndDocumentsThePage()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        RouteEndpoint endpoint = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Single(e => e.RoutePattern.RawText == "/credentials/{file}");
        (endpoint.Metadata.GetMetadata<RequestTimeoutAttribute>()?.PolicyName).Should().Be("verify");

        JsonNode operation = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json", Ct))!["paths"]!["/credentials/{file}"]!["get"]!;
        operation["responses"]!["200"]!["content"]!.AsObject().Select(p => p.Key).Should().Contain(["text/html", "application/vc+ld+json", "image/png"]);
        operation["responses"]!["404"]!["content"]!.AsObject().Select(p => p.Key).Should().Equal("application/problem+json", "text/html");
    }

    [Theory]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("JAVASCRIPT:alert(1)", null)]
    [InlineData("data:text/html,<script>", null)]
    [InlineData("vbscript:x", null)]
    [InlineData("/relative", null)]
    [InlineData("https://example.org/\u202Egpj.exe", null)]
    [InlineData("https://example.org/a b", "https://example.org/a%20b")]
    [InlineData("http://example.org/criteria", "http://example.org/criteria")]
    public void WebUrl_OnlyAbsoluteHttpUrlsWithoutHiddenCharacters(string value, string? expected)
        => HtmlBuilder.WebUrl(value).Should().Be(expected);

    [Theory]
    [InlineData("  Ada\u202E \u200BLovelace \r\n x ", "Ada Lovelace x")]
    [InlineData("\u2066\u2069", null)]
    [InlineData("a\u2028b", "a b")]
    public void OneLine_DropsHiddenCharacters_CollapsesSpace(string value, string? expected)
        => HtmlBuilder.OneLine(value, 256).Should().Be(expected);

    [Fact]
    public void Paragraphs_KeepsLineBreaks_AtMostOneEmptyLine_Bounded()
    {
        HtmlBuilder.Paragraphs("one\r\n\r\n\r\n\u202Etwo  three\n", 100).Should().Be("one\n\ntwo three");
        HtmlBuilder.Paragraphs(new string('x', 50) + "😀😀", 51).Should().Be(new string('x', 50) + "…");
        HtmlBuilder.OneLine(new string('x', 300), 256)!.Length.Should().Be(256);
    }
}
