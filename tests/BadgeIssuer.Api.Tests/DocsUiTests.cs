using System.Net;
using System.Text.RegularExpressions;

namespace BadgeIssuer.Api.Tests;

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
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("swagger-ui", html, StringComparison.Ordinal);
        Assert.Contains("<title>BadgeIssuer API</title>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("scalar", html, StringComparison.OrdinalIgnoreCase);

        // Every script and stylesheet is a relative URL that this service answers: nothing from a CDN.
        string[] assets = [.. AssetReference().Matches(html).Select(m => m.Groups["url"].Value)];
        Assert.Contains(assets, a => a.EndsWith(".js", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.EndsWith(".css", StringComparison.Ordinal));
        foreach (string asset in assets)
        {
            Assert.DoesNotContain("//", asset, StringComparison.Ordinal);
            using HttpResponseMessage response = await client.GetAsync(new Uri(new Uri("http://localhost/docs/"), asset), Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)response.StatusCode}");
        }

        // No inline script: the CSP needs no 'unsafe-inline' for scripts.
        Assert.DoesNotMatch(InlineScript(), html);

        // The UI's configuration points at the served OpenAPI document.
        string config = await client.GetStringAsync("/docs/index.js", Ct);
        Assert.Contains("/openapi/v1.json", config, StringComparison.Ordinal);

        // No badge from swagger.io's online validator (it would send the document's URL elsewhere): left unset,
        // Swashbuckle's index.js sets validatorUrl to null.
        Assert.DoesNotContain("\"validatorUrl\":\"", config, StringComparison.Ordinal);
        Assert.DoesNotContain("swagger.io", config, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docs_Root_LeadsToTheUi()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();

        using HttpResponseMessage response = await client.GetAsync("/docs", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
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

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("http", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("*", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
    }

    [GeneratedRegex("""<(?:script|link)[^>]*?(?:src|href)="(?<url>[^"]+)""")]
    private static partial Regex AssetReference();

    [GeneratedRegex("""<script(?![^>]*\ssrc=)[^>]*>""")]
    private static partial Regex InlineScript();
}
