using System.Net;
using System.Text.RegularExpressions;

namespace BadgeIssuer.Api.Tests.Infrastructure;

/// <summary>The API reference UI: Swagger UI (Swashbuckle.AspNetCore.SwaggerUI) at /docs, assets served locally.</summary>
public sealed partial class DocsUiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Docs_IsSwaggerUiOverTheOpenApiDocument_WithEveryAssetServedLocally()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();

        using HttpResponseMessage page = await client.GetAsync("/docs/index.html", Ct);
        string html = await page.Content.ReadAsStringAsync(Ct);
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        (page.Content.Headers.ContentType?.MediaType).Should().Be("text/html");
        html.Should().Contain("swagger-ui");
        html.Should().Contain("<title>BadgeIssuer API</title>");
        html.Should().NotContainEquivalentOf("scalar");

        // Every script and stylesheet is a relative URL that this service answers: nothing from a CDN.
        string[] assets = [.. AssetReference().Matches(html).Select(m => m.Groups["url"].Value)];
        assets.Should().Contain(a => a.EndsWith(".js", StringComparison.Ordinal));
        assets.Should().Contain(a => a.EndsWith(".css", StringComparison.Ordinal));
        foreach (string asset in assets)
        {
            asset.Should().NotContain("//");
            using HttpResponseMessage response = await client.GetAsync(new Uri(new Uri("http://localhost/docs/"), asset), Ct);
            (response.StatusCode == HttpStatusCode.OK).Should().BeTrue($"{asset}: {(int)response.StatusCode}");
        }

        // No inline script: the CSP needs no 'unsafe-inline' for scripts.
        html.Should().NotMatchRegex(InlineScript());

        // The UI's configuration points at the served OpenAPI document.
        string config = await client.GetStringAsync("/docs/index.js", Ct);
        config.Should().Contain("/openapi/v1.json");

        // No badge from swagger.io's online validator (it would send the document's URL elsewhere): left unset,
        // Swashbuckle's index.js sets validatorUrl to null.
        config.Should().NotContain("\"validatorUrl\":\"");
        config.Should().NotContain("swagger.io");
    }

    [Fact]
    public async Task Docs_Root_LeadsToTheUi()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();

        using HttpResponseMessage response = await client.GetAsync("/docs", Ct);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(Ct)).Should().Contain("swagger-ui");
    }

    [Theory]
    [InlineData("/docs/index.html")]
    [InlineData("/docs/index.js")]
    [InlineData("/docs/swagger-ui-bundle.js")]
    public async Task Docs_CspAllowsOnlyThisOrigin(string path)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();

        using HttpResponseMessage response = await client.GetAsync(path, Ct);
        string csp = response.Headers.GetValues("Content-Security-Policy").Single();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        csp.Should().Contain("default-src 'none'");
        csp.Should().Contain("script-src 'self';");
        csp.Should().NotContain("http");
        csp.Should().NotContain("*");
        csp.Should().Contain("frame-ancestors 'none'");
    }

    [GeneratedRegex("""<(?:script|link)[^>]*?(?:src|href)="(?<url>[^"]+)""")]
    private static partial Regex AssetReference();

    [GeneratedRegex("""<script(?![^>]*\ssrc=)[^>]*>""")]
    private static partial Regex InlineScript();
}
