using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BadgeIssuer.Benchmarks;

/// <summary>
/// The whole HTTP pipeline in process, so a regression shows without a load generator: the real service
/// (<c>Program</c>) on an in-memory test server with a fresh SQLite data directory — routing, authentication, rate
/// limiting (lifted, as <c>bench/load.sh</c> lifts it), body reading and validation, status allocation, signing,
/// storage with its group commit, audit and the response — but no sockets. One request at a time, so the figure is
/// latency on an idle service, not throughput: <c>bench/load.sh</c> measures that. Logging at Warning, as in
/// production. Each request sends <c>samples/ob-credential.json</c> with a fresh <c>urn:uuid</c> id. In process
/// (BenchmarkDotNet's in-process toolchain): the host is this benchmark process, which already has the service built.
/// </summary>
[MemoryDiagnoser]
[InProcess]
public class HttpPipelineBenchmarks
{
    private const string ApiKey = "bik_benchmark-admin-key-0123456789abcdef";
    private const string IssuerId = "did:web:localhost:issuers:default";

    private WebApplicationFactory<Program>? _factory;
    private HttpClient? _client;
    private string _withStatusPrefix = string.Empty;
    private string _withoutStatusPrefix = string.Empty;
    private string _suffix = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        string data = Directory.CreateTempSubdirectory("badgeissuer-bench-").FullName;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("BadgeIssuer:DataDirectory", data);
            builder.UseSetting("BadgeIssuer:PublicBaseUrl", "http://localhost");
            builder.UseSetting("BadgeIssuer:Bootstrap:ApiKey", ApiKey);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("RateLimits:Public:PermitsPerSecond", "1000000");
            builder.UseSetting("RateLimits:Public:Burst", "2000000");
            builder.UseSetting("RateLimits:ApiKey:PermitsPerSecond", "1000000");
            builder.UseSetting("RateLimits:ApiKey:Burst", "2000000");
            builder.UseEnvironment("Production");
        });
        _client = _factory.CreateClient();
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);

        // The request body around its id: prefix + uuid + suffix, so each request is one string concatenation.
        JsonObject credential = JsonNode.Parse(File.ReadAllBytes(Path.Combine(Samples.Directory, "ob-credential.json")))!.AsObject();
        credential.Remove("credentialStatus");
        credential["issuer"]!["id"] = IssuerId;
        credential["id"] = "@@ID@@";
        string with = new JsonObject { ["credential"] = credential.DeepClone(), ["options"] = new JsonObject { ["credentialStatus"] = "revocation" } }.ToJsonString();
        string without = new JsonObject { ["credential"] = credential.DeepClone(), ["options"] = new JsonObject() }.ToJsonString();
        int at = with.IndexOf("@@ID@@", StringComparison.Ordinal);
        _withStatusPrefix = with[..at];
        _suffix = with[(at + "@@ID@@".Length)..];
        _withoutStatusPrefix = without[..without.IndexOf("@@ID@@", StringComparison.Ordinal)];

        // Warm the service (first request bootstraps contexts, schema and the status list) and check the bodies work.
        IssueWithStatus().GetAwaiter().GetResult();
        IssueWithoutStatus().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client?.Dispose();
        _factory?.Dispose();
    }

    /// <summary><c>POST /credentials/issue</c> with a revocation status entry (a status index, the list's bookkeeping).</summary>
    [Benchmark(Baseline = true)]
    public Task IssueWithStatus() => PostAsync(_withStatusPrefix);

    /// <summary><c>POST /credentials/issue</c> without a status entry.</summary>
    [Benchmark]
    public Task IssueWithoutStatus() => PostAsync(_withoutStatusPrefix);

    private async Task PostAsync(string prefix)
    {
        string body = prefix + "urn:uuid:" + Guid.NewGuid().ToString() + _suffix;
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await _client!.PostAsync("/credentials/issue", content);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"POST /credentials/issue answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        await response.Content.CopyToAsync(Stream.Null);
    }
}
