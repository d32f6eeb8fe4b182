using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BadgeIssuer.LoadTest;

/// <summary>
/// Prepares a scenario against the running service: reads the key, creates an achievement, awards once to learn the
/// issuer id and a status-list URL, and pre-renders the request template. Setup requests are not measured.
/// </summary>
public sealed class ScenarioSetup
{
    private const string JsonMediaType = "application/json";

    private readonly HttpClient _client;
    private readonly LoadOptions _options;
    private readonly TextWriter _log;

    public ScenarioSetup(HttpClient client, LoadOptions options, TextWriter log)
    {
        _client = client;
        _options = options;
        _log = log;
    }

    public async Task<Scenario> PrepareAsync(CancellationToken cancellationToken)
    {
        switch (_options.Scenario)
        {
            case "health":
                return Get("health", "health", etag: null);
            case "verify" when _options.VerifyFile is not null:
                return await VerifyFileAsync(_options.VerifyFile, cancellationToken);
            case "issue" or "issue+status" when _options.IssuerId is not null:
                return Issue(_options.IssuerId);
            case not ("issue" or "issue+status") when _options.IssuerId is not null:
                throw new SetupException("--issuer-id works only with the issue and issue+status scenarios");
        }

        (string apiKey, string? issuerId) = ReadKey();
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);

        string achievementId = await CreateAchievementAsync(cancellationToken);
        AwardProbe probe = await AwardOnceAsync(achievementId, cancellationToken);
        issuerId ??= probe.IssuerId;

        switch (_options.Scenario)
        {
            case "awards":
            {
                BodyTemplate body = BodyTemplate.Parse(AwardJson(achievementId).ToJsonString());
                Func<long, Uri> target = Target("awards");
                return new Scenario
                {
                    Name = "awards",
                    CreateRequest = n => Post(target(n), body.Render(n)),
                    Description = $"POST /awards, achievement {achievementId}, recipient learner{{n}}@example.org",
                };
            }

            case "batch":
            {
                int size = _options.BatchSize;
                JsonArray awards = [];
                for (int i = 0; i < size; i++)
                {
                    JsonObject award = AwardJson(achievementId);
                    award["recipient"]!["email"] = $"learner{BodyTemplate.Sequence}-{i}@example.org";
                    awards.Add(award);
                }

                BodyTemplate body = BodyTemplate.Parse(new JsonObject { ["awards"] = awards }.ToJsonString());
                Func<long, Uri> target = Target("awards/batch");
                return new Scenario
                {
                    Name = "batch",
                    CreateRequest = n => Post(target(n), body.Render(n)),
                    ItemsPerRequest = size,
                    CountItems = CountBatchSuccesses,
                    Description = $"POST /awards/batch, {size} awards per request, achievement {achievementId}",
                };
            }

            case "issue" or "issue+status":
                return Issue(issuerId ?? throw new SetupException("no issuer id: neither bootstrap.json nor the probe award's credential named one"));

            case "verify":
                return await VerifyIssuedAsync(probe, cancellationToken);

            case "status-list":
            {
                string url = (probe.StatusListUrls.Count > 0 ? probe.StatusListUrls[0] : null)
                    ?? throw new SetupException("the probe award's credential has no credentialStatus.statusListCredential");
                string path = RelativePath(url);
                string? etag = null;
                if (_options.IfNoneMatch)
                {
                    using HttpResponseMessage first = await _client.GetAsync(new Uri(_options.Url, path), cancellationToken);
                    await EnsureAsync(first, "GET " + path, cancellationToken);
                    etag = first.Headers.ETag?.ToString()
                        ?? throw new SetupException($"GET {path} answered without an ETag; --if-none-match needs one");
                }

                return Get("status-list", path, etag);
            }

            default:
                throw new SetupException($"unknown scenario '{_options.Scenario}' (awards, issue, issue+status, batch, status-list, verify, health)");
        }
    }

    private Scenario Get(string name, string path, string? etag)
    {
        Uri uri = new(_options.Url, path);
        Func<long, Uri> target = Target(path);
        return new Scenario
        {
            Name = name,
            CreateRequest = n =>
            {
                HttpRequestMessage request = new(HttpMethod.Get, target(n));
                if (etag is not null)
                {
                    request.Headers.TryAddWithoutValidation("If-None-Match", etag);
                }

                return request;
            },
            AlsoSuccess = etag is null ? new HashSet<HttpStatusCode>() : [HttpStatusCode.NotModified],
            Description = $"GET {uri}" + (etag is null ? "" : $" with If-None-Match: {etag} (304 counts as success)"),
        };
    }

    // The employer's case: a credential this service awarded (Data Integrity, hashed email, a revocation entry in its
    // own status list), verified through every step, the status list read locally and its proof checked.
    private async Task<Scenario> VerifyIssuedAsync(AwardProbe probe, CancellationToken cancellationToken)
    {
        byte[] body = Encoding.UTF8.GetBytes(probe.CredentialJson);
        using HttpResponseMessage first = await _client.SendAsync(Post("credentials/verify", body, "application/vc+ld+json"), cancellationToken);
        string report = await EnsureAsync(first, "POST /credentials/verify (the probe award)", cancellationToken);
        if (TryGet(report, "verified") != "true" || !report.Contains("\"name\":\"status\",\"status\":\"passed\"", StringComparison.Ordinal))
        {
            throw new SetupException("the probe award does not verify with a passed status step: " + Clip(report));
        }

        Func<long, Uri> target = Target("credentials/verify");
        return new Scenario
        {
            Name = "verify",
            CreateRequest = n => Post(target(n), body, "application/vc+ld+json"),
            Description = $"POST /credentials/verify, a credential this service awarded ({body.Length} bytes, status list read locally), report verified=true",
        };
    }

    // Any file: a report with verified:false (422, or 400 for unreadable input) counts as an answer, not an error.
    private async Task<Scenario> VerifyFileAsync(string file, CancellationToken cancellationToken)
    {
        byte[] body = await File.ReadAllBytesAsync(file, cancellationToken);
        using HttpResponseMessage probe = await _client.SendAsync(Post("credentials/verify", body, "application/vc+ld+json"), cancellationToken);
        string report = await probe.Content.ReadAsStringAsync(cancellationToken);
        string verified = TryGet(report, "verified") ?? throw new SetupException($"POST /credentials/verify answered {(int)probe.StatusCode} without a report: {Clip(report)}");

        Func<long, Uri> target = Target("credentials/verify");
        return new Scenario
        {
            Name = "verify",
            CreateRequest = n => Post(target(n), body, "application/vc+ld+json"),
            AlsoSuccess = new HashSet<HttpStatusCode> { HttpStatusCode.UnprocessableEntity, HttpStatusCode.BadRequest },
            Description = $"POST /credentials/verify, {Path.GetFileName(file)} ({body.Length} bytes), report says verified={verified} ({(int)probe.StatusCode}, counted as success)",
        };
    }

    private (string ApiKey, string? IssuerId) ReadKey()
    {
        string? issuerId = null;
        string? apiKey = _options.ApiKey;
        if (_options.BootstrapFile is string file)
        {
            using JsonDocument bootstrap = JsonDocument.Parse(File.ReadAllBytes(file));
            JsonElement root = bootstrap.RootElement;
            apiKey ??= root.TryGetProperty("apiKey", out JsonElement key) ? key.GetString() : null;
            issuerId = root.TryGetProperty("issuerId", out JsonElement issuer) ? issuer.GetString() : null;
        }

        return apiKey is null
            ? throw new SetupException($"scenario '{_options.Scenario}' needs --api-key KEY or --bootstrap DATA_DIR/bootstrap.json")
            : (apiKey, issuerId);
    }

    private async Task<string> CreateAchievementAsync(CancellationToken cancellationToken)
    {
        JsonObject achievement = new()
        {
            ["name"] = "Load Test Achievement",
            ["description"] = "Created by BadgeIssuer.LoadTest.",
            ["criteria"] = new JsonObject { ["narrative"] = "Send many requests." },
        };
        using HttpResponseMessage response = await _client.SendAsync(Post("achievements", Encoding.UTF8.GetBytes(achievement.ToJsonString())), cancellationToken);
        string body = await EnsureAsync(response, "POST /achievements", cancellationToken);
        string id = TryGet(body, "id") ?? throw new SetupException("POST /achievements answered without an \"id\": " + Clip(body));
        _log.WriteLine($"setup: achievement {id}");
        return id;
    }

    private async Task<AwardProbe> AwardOnceAsync(string achievementId, CancellationToken cancellationToken)
    {
        JsonObject award = AwardJson(achievementId);
        award["recipient"]!["email"] = "probe@example.org";
        using HttpResponseMessage response = await _client.SendAsync(Post("awards", Encoding.UTF8.GetBytes(award.ToJsonString())), cancellationToken);
        string body = await EnsureAsync(response, "POST /awards", cancellationToken);

        using JsonDocument document = JsonDocument.Parse(body);
        JsonElement credential = document.RootElement.TryGetProperty("credential", out JsonElement c) ? c : document.RootElement;
        string? issuerId = credential.TryGetProperty("issuer", out JsonElement issuer)
            ? issuer.ValueKind == JsonValueKind.String ? issuer.GetString() : issuer.TryGetProperty("id", out JsonElement iid) ? iid.GetString() : null
            : null;

        List<string> lists = [];
        if (credential.TryGetProperty("credentialStatus", out JsonElement status))
        {
            IEnumerable<JsonElement> entries = status.ValueKind == JsonValueKind.Array ? status.EnumerateArray() : [status];
            foreach (JsonElement entry in entries)
            {
                if (entry.ValueKind == JsonValueKind.Object
                    && entry.TryGetProperty("statusListCredential", out JsonElement url)
                    && url.GetString() is string s)
                {
                    lists.Add(s);
                }
            }
        }

        _log.WriteLine($"setup: probe award issued by {issuerId ?? "?"}; status lists: {(lists.Count == 0 ? "none" : string.Join(", ", lists))}");
        return new AwardProbe(issuerId, lists, credential.GetRawText());
    }

    private Scenario Issue(string issuerId)
    {
        bool withStatus = _options.IssueWithStatus || _options.Scenario == "issue+status";
        BodyTemplate body = BodyTemplate.Parse(IssueJson(issuerId, withStatus).ToJsonString());
        Func<long, Uri> target = Target("credentials/issue");
        return new Scenario
        {
            Name = withStatus ? "issue+status" : "issue",
            CreateRequest = n => Post(target(n), body.Render(n)),
            Description = $"POST /credentials/issue, issuer {issuerId}, samples/ob-credential.json with a fresh urn:uuid id, "
                + (withStatus ? "options.credentialStatus revocation" : "options {} (no status entry)"),
        };
    }

    private static JsonObject AwardJson(string achievementId) => new()
    {
        ["achievementId"] = achievementId,
        ["recipient"] = new JsonObject { ["email"] = $"learner{BodyTemplate.Sequence}@example.org" },
    };

    // samples/ob-credential.json with this service's issuer, a fresh id per request, and without the sample's
    // credentialStatus (it points at badges.example.edu); --issue-status asks the service for a revocation entry.
    private static JsonObject IssueJson(string issuerId, bool withStatus)
    {
        string file = Path.Combine(AppContext.BaseDirectory, "data", "ob-credential.json");
        JsonObject credential = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        credential["id"] = $"urn:uuid:{BodyTemplate.Uuid}";
        credential["issuer"]!["id"] = issuerId;
        credential.Remove("credentialStatus");
        JsonObject options = [];
        if (withStatus)
        {
            options["credentialStatus"] = "revocation";
        }

        return new JsonObject { ["credential"] = credential, ["options"] = options };
    }

    // Per-item results of /awards/batch. The service answers {"succeeded": n, "failed": m, "results": [...]}; the
    // reader stops at "succeeded" (first property) instead of parsing a body that holds every signed credential.
    // Without it: count the entries of a "results" array that carry no "problem" and a 2xx "status".
    private int CountBatchSuccesses(HttpStatusCode status, byte[] body)
    {
        try
        {
            Utf8JsonReader reader = new(body);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("succeeded"u8) && reader.Read() && reader.TokenType == JsonTokenType.Number)
                    {
                        return reader.GetInt32();
                    }

                    reader.Skip();
                }
            }

            using JsonDocument document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("results", out JsonElement items) || items.ValueKind != JsonValueKind.Array)
            {
                return status == HttpStatusCode.OK ? _options.BatchSize : 0;
            }

            int ok = 0;
            foreach (JsonElement item in items.EnumerateArray())
            {
                bool failed = item.ValueKind != JsonValueKind.Object
                    || item.TryGetProperty("problem", out _)
                    || (item.TryGetProperty("status", out JsonElement s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() is < 200 or >= 300);
                ok += failed ? 0 : 1;
            }

            return ok;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    private HttpRequestMessage Post(string path, byte[] body, string mediaType = JsonMediaType)
        => Post(new Uri(_options.Url, path), body, mediaType);

    private static HttpRequestMessage Post(Uri uri, byte[] body, string mediaType = JsonMediaType)
    {
        ByteArrayContent content = new(body);
        content.Headers.TryAddWithoutValidation("Content-Type", mediaType);
        return new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
    }

    // Where measured request number n goes: instance n mod count, round-robin per request. That is what an HTTP (L7)
    // load balancer in front of the instances does by default (nginx, HAProxy, cloud application load balancers pick
    // the upstream per request over their pooled keep-alive connections), so every instance gets an equal share of
    // the requests whatever the client's connection count. Sticking each connection slot to one instance would model
    // a TCP (L4) balancer instead, and let a slower instance quietly take less of the load.
    private Func<long, Uri> Target(string path)
    {
        Uri[] uris = [.. _options.Urls.Select(u => new Uri(u, path))];
        return uris.Length == 1 ? _ => uris[0] : n => uris[(int)(n % uris.Length)];
    }

    // Status-list URLs carry the service's public base URL; the load goes to --url with the same path.
    private static string RelativePath(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out Uri? absolute) ? absolute.PathAndQuery.TrimStart('/') : url.TrimStart('/');

    private static async Task<string> EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? body
            : throw new SetupException($"{what} answered {(int)response.StatusCode} {response.ReasonPhrase}: {Clip(body)}");
    }

    private static string? TryGet(string json, string property)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(property, out JsonElement value)
                ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static string Clip(string text) => text.Length <= 600 ? text : text[..600] + "…";

    private sealed record AwardProbe(string? IssuerId, IReadOnlyList<string> StatusListUrls, string CredentialJson);
}

/// <summary>Setup could not prepare the scenario (service answer, missing key); the message says why.</summary>
public sealed class SetupException : Exception
{
    public SetupException()
    {
    }

    public SetupException(string message)
        : base(message)
    {
    }

    public SetupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
