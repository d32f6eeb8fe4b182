using System.Text.Json.Nodes;

namespace BadgeIssuer.Api.Tests.Infrastructure;

public sealed class OpenApiTests
{
    [Fact]
    public async Task OpenApiDocument_IsServedAndListsVerify()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        string text = await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken);

        JsonNode document = JsonNode.Parse(text)!;
        JsonNode verify = document["paths"]!["/credentials/verify"]!["post"]!;
        verify["operationId"]!.GetValue<string>().Should().Be("VerifyCredential");
        foreach (string status in new[] { "200", "400", "413", "415", "422" })
        {
            verify["responses"]![status].Should().NotBeNull();
        }

        foreach (string mediaType in new[] { "application/json", "application/vc+ld+json", "application/vc+jwt", "text/plain", "image/png", "image/svg+xml" })
        {
            verify["requestBody"]!["content"]![mediaType].Should().NotBeNull();
        }
    }

    [Fact]
    public async Task OpenApiDocument_MatchesTheCommittedFile()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        JsonNode served = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!;
        JsonNode committed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "openapi", "badgeissuer.json"), TestContext.Current.CancellationToken))!;

        // A served document names the server it was fetched from; the build-time one has none.
        served.AsObject().Remove("servers");
        JsonNode.DeepEquals(committed, served).Should().BeTrue("openapi/badgeissuer.json is stale: rebuild src/BadgeIssuer.Api and commit the file.");
    }
}
