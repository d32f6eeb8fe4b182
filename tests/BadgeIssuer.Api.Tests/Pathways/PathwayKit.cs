using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace BadgeIssuer.Api.Tests.Pathways;

/// <summary>Requests the pathway tests share: achievements with or without a pathway, awards, downloads, verification.</summary>
internal static class PathwayKit
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static object Achievement(string name, object? pathway = null, string? issuerId = null) => new Dictionary<string, object?>
    {
        ["name"] = name,
        ["description"] = "The " + name + " badge.",
        ["criteria"] = new { narrative = "Complete " + name + "." },
        ["pathway"] = pathway,
        ["issuerId"] = issuerId,
    }.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value);

    public static async Task<string> CreateAsync(HttpClient client, string name, object? pathway = null, string? issuerId = null)
    {
        using HttpResponseMessage response = await client.PostAsJsonAsync("/achievements", Achievement(name, pathway, issuerId), Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == HttpStatusCode.Created).Should().BeTrue(text);
        return (string)JsonNode.Parse(text)!["id"]!;
    }

    /// <summary>Three part achievements and an allOf composite of them that awards itself.</summary>
    public static async Task<(string[] Parts, string Composite)> ThreeBadgesAndACertificateAsync(HttpClient client, string rule = "allOf", int? n = null, bool autoAward = true)
    {
        string[] parts = [await CreateAsync(client, "Welding Safety"), await CreateAsync(client, "MIG Basics"), await CreateAsync(client, "TIG Basics")];
        object pathway = n is { } required ? new { rule, n = required, parts, autoAward } : new { rule, parts, autoAward };
        return (parts, await CreateAsync(client, "Welding Certificate", pathway));
    }

    public static async Task<JsonNode> AwardAsync(HttpClient client, string achievementId, string email = "ada@example.org", object? extra = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/awards") { Content = JsonContent.Create(extra ?? new { achievementId, recipient = new { email } }) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using HttpResponseMessage response = await client.SendAsync(request, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        response.IsSuccessStatusCode.Should().BeTrue(text);
        return JsonNode.Parse(text)!;
    }

    /// <summary>The composites an award answer names (empty when the member is absent).</summary>
    public static JsonArray Composites(JsonNode award) => award["composites"]?.AsArray() ?? [];

    public static async Task<JsonNode> GetJsonAsync(HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using HttpResponseMessage response = await client.GetAsync(path, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == expected).Should().BeTrue($"{path}: {response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>The ids of the issuer's credentials for <paramref name="achievementId"/> (and a recipient), newest first.</summary>
    public static async Task<List<string>> CredentialIdsAsync(HttpClient client, string achievementId, string? recipient = null)
    {
        string query = "/credentials?achievementId=" + Uri.EscapeDataString(achievementId) + (recipient is null ? string.Empty : "&recipient=" + Uri.EscapeDataString(recipient));
        return [.. (await GetJsonAsync(client, query))["items"]!.AsArray().Select(i => (string)i!["id"]!)];
    }

    public static async Task<JsonNode> VerifyAsync(HttpClient client, string credentialJson)
    {
        using var content = new StringContent(credentialJson, Encoding.UTF8, "application/vc+ld+json");
        using HttpResponseMessage response = await client.PostAsync("/credentials/verify", content, Ct);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
    }

    /// <summary>The problem's <c>errors</c> as "path: message" lines, after checking status and type.</summary>
    public static async Task<string> ProblemErrorsAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == status).Should().BeTrue($"{response.StatusCode}: {text}");
        JsonNode problem = JsonNode.Parse(text)!;
        ((string)problem["type"]!).Should().Be("urn:badgeissuer:problem:" + code, text);
        return string.Join("\n", (problem["errors"]?.AsArray() ?? []).Select(e => (string)e!["path"]! + ": " + (string)e["message"]!));
    }
}
