using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Hosting;
using BadgeIssuer.Api.Tests.Issue;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BadgeIssuer.Api.Tests.Credentials;

/// <summary>
/// The credential page in a real browser: Debian's headless Chromium (<see cref="HeadlessChromium"/>) loads it from
/// the service on a loopback Kestrel port. Each page must render under its own content security policy with no console
/// message, no policy violation, no failed or blocked request, no issue from Chromium's audits and no text under
/// 4.5:1 contrast, show the right verdict, and load its badge image and style. Screenshots go to a temporary directory
/// (or <c>BADGEISSUER_SCREENSHOTS</c>), never into the repository; docs/images holds copies made once.
/// </summary>
public sealed class CredentialPageBrowserTests
{
    private const int Width = 900;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ScreenshotDirectory()
    {
        string directory = Environment.GetEnvironmentVariable("BADGEISSUER_SCREENSHOTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Path.GetTempPath(), "badgeissuer-screenshots");
        Directory.CreateDirectory(directory);
        return directory;
    }

    private static async Task<string> StringAsync(HeadlessChromium browser, string expression)
        => (string?)await browser.EvaluateAsync(expression, Ct) ?? string.Empty;

    [Fact]
    public async Task CredentialPage_InChromium_ValidRevokedExpiredAndHostile_RenderCleanlyWithTheirVerdicts()
    {
        await using HeadlessChromium browser = await HeadlessChromium.StartAsync(Ct);

        // Ids minted under the address the browser uses, so every absolute link on the page points at this server.
        int port = ServiceProcess.FreePort();
        string baseUrl = "http://localhost:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var app = new BadgeIssuerApplication(("BadgeIssuer:PublicBaseUrl", baseUrl));
        using WebApplicationFactory<Program> kestrel = app.WithWebHostBuilder(_ => { });
        kestrel.UseKestrel(options => options.ListenLocalhost(port));
        kestrel.StartServer();
        using var client = new HttpClient { BaseAddress = new Uri(baseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BadgeIssuerApplication.ApiKey);

        using (HttpResponseMessage profile = await client.PutAsJsonAsync("/issuers/default", new { name = "Northfield Technical College", url = "https://northfield.example/" }, Ct))
        {
            profile.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        string achievementId = await IssuingApiTests.CreateAchievementAsync(client, new
        {
            name = "Intro to Welding",
            description = "Safe MIG welding basics: setting up the machine, joint preparation and the protective equipment a welder needs.",
            criteria = new { narrative = "Pass the practical assessment: three fillet welds inspected by a certified instructor.\nComplete the workshop safety induction." },
            achievementType = "Certificate",
        });
        string valid = await AwardAsync(client, new { achievementId, recipient = new { email = "ada@example.org", name = "Ada Lovelace" } });
        string revoked = await AwardAsync(client, new { achievementId, recipient = new { email = "grace@example.org", name = "Grace Hopper" } });
        using (HttpResponseMessage revoke = await client.PostAsJsonAsync(revoked + "/revoke", new { reason = "issued in error" }, Ct))
        {
            revoke.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        string expired = await AwardAsync(client, new
        {
            achievementId,
            recipient = new { email = "alan@example.org", name = "Alan Turing" },
            validFrom = "2026-09-01T00:00:00Z",
            validUntil = "2026-10-01T00:00:00Z",
        });
        const string Hostile = "<script>alert(1)</script> \"Weld\" 'ing' ש ל ו ם";
        string hostileAchievement = await IssuingApiTests.CreateAchievementAsync(client, new { name = Hostile, description = "</p><img src=x onerror=alert(1)>", criteria = new { narrative = "<style>*{display:none}</style>" } });
        string hostile = await AwardAsync(client, new { achievementId = hostileAchievement, recipient = new { email = "h@example.org", name = "\u202Eevil\u202C \"Ada\"" } });

        string screenshots = ScreenshotDirectory();
        foreach ((string name, string credentialId, string verdict, string title) in new[]
        {
            ("valid", valid, "Valid: 'Intro to Welding', issued by 'Northfield Technical College' to 'Ada Lovelace' on 2026-11-01, not revoked.", "Intro to Welding"),
            ("revoked", revoked, "Not valid: revoked on 2026-11-01 (reason: issued in error).", "Intro to Welding"),
            ("expired", expired, "Not valid: expired: validUntil was 2026-10-01T00:00:00Z.", "Intro to Welding"),
            ("hostile", hostile, "Valid: '<script>alert(1)</script> \"Weld\" ’ing’ ש ל ו ם', issued by 'Northfield Technical College' to 'evil \"Ada\"' on 2026-11-01, not revoked.", Hostile),
        })
        {
            // The credential's own URL, as LinkedIn's certUrl and a shared link name it.
            PageVisit visit = await browser.VisitAsync(credentialId, Width, Ct);
            string file = Path.Combine(screenshots, $"credential-page-{name}.png");
            await File.WriteAllBytesAsync(file, visit.Screenshot, Ct);
            TestContext.Current.SendDiagnosticMessage($"{name}: {file}");

            visit.Problems.Should().BeEmpty($"the {name} page must render without console messages, policy violations, failed requests or audit issues; found:\n{visit.Describe()}");
            visit.DocumentStatus.Should().Be(200);
            (await StringAsync(browser, "document.getElementById('verdict').textContent")).Should().Be(verdict, name);
            (await StringAsync(browser, "document.getElementById('name').textContent")).Should().Be(title, name);
            (await browser.EvaluateAsync("document.scripts.length", Ct))!.GetValue<int>().Should().Be(0);
            (await StringAsync(browser, "document.documentElement.lang")).Should().Be("en");

            // The image came from this origin (img-src 'self') and the style applied (its hash matched).
            (await browser.EvaluateAsync("document.querySelector('.badge img').complete && document.querySelector('.badge img').naturalWidth", Ct))!.GetValue<int>().Should().BeGreaterThan(0, name);
            (await StringAsync(browser, "getComputedStyle(document.querySelector('main')).backgroundColor")).Should().Be("rgb(255, 255, 255)", name);

            // Landmarks, one h1, alt text on every image, and a LinkedIn link only while the credential verifies.
            (await StringAsync(browser, "[...document.querySelectorAll('header, main, footer, h1')].map(e => e.tagName).join(',')")).Should().Be("HEADER,MAIN,H1,FOOTER");
            (await browser.EvaluateAsync("[...document.images].every(i => i.alt.length > 0)", Ct))!.GetValue<bool>().Should().BeTrue();
            (await browser.EvaluateAsync("document.getElementById('linkedin') !== null", Ct))!.GetValue<bool>().Should().Be(verdict.StartsWith("Valid", StringComparison.Ordinal), name);
        }

        // The 404 page: the same policy and style, nothing failing but the document's own status, which Chromium logs.
        string unknown = baseUrl + "/credentials/AAAAAAAAAAAAAAAAAAAAAA";
        PageVisit missing = await browser.VisitAsync(unknown, Width, Ct);
        missing.Problems.Where(p => p != "log error (network): Failed to load resource: the server responded with a status of 404 (Not Found) " + unknown)
            .Should().BeEmpty($"the 404 page must render cleanly; found:\n{missing.Describe()}");
        missing.DocumentStatus.Should().Be(404);
        (await StringAsync(browser, "document.querySelector('h1').textContent")).Should().Be("Credential not found");
        (await StringAsync(browser, "getComputedStyle(document.querySelector('main')).backgroundColor")).Should().Be("rgb(255, 255, 255)");
    }

    /// <summary>The checks above can fail: a policy violation, a console error, a failed request and pale text are each reported.</summary>
    [Fact]
    public async Task HeadlessChromium_ReportsPolicyViolationsConsoleErrorsAndFailedRequests()
    {
        await using HeadlessChromium browser = await HeadlessChromium.StartAsync(Ct);
        int closed = ServiceProcess.FreePort(); // nothing listens there once the probe socket is closed

        PageVisit style = await browser.VisitAsync(
            "data:text/html,<!DOCTYPE html><html lang=en><meta http-equiv=\"Content-Security-Policy\" content=\"style-src 'none'\"><title>t</title><style>p{color:red}</style><p>x</p>", Width, Ct);
        style.Describe().Should().Contain("CSP violation: style-src");

        PageVisit console = await browser.VisitAsync("data:text/html,<!DOCTYPE html><html lang=en><title>t</title><script>console.error('boom')</script>", Width, Ct);
        console.Describe().Should().Contain("console.error: boom");

        PageVisit request = await browser.VisitAsync($"data:text/html,<!DOCTYPE html><html lang=en><title>t</title><img alt=x src=\"http://127.0.0.1:{closed}/x.png\">", Width, Ct);
        request.Describe().Should().Contain("request failed: net::ERR_CONNECTION_REFUSED");

        PageVisit contrast = await browser.VisitAsync("data:text/html,<!DOCTYPE html><html lang=en><title>t</title><p style=\"color:%23999\">pale</p>", Width, Ct);
        contrast.Describe().Should().Contain("low contrast: p \"pale\" 2.85:1");
    }

    private static async Task<string> AwardAsync(HttpClient client, object award)
        => (string)(await IssuingApiTests.AwardAsync(client, achievementId: string.Empty, extra: award))["credentialId"]!;
}
