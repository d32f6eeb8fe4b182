using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace BadgeIssuer.Api.Tests.Corpus;

/// <summary>
/// Drives corpus cases against a service reached through an <see cref="HttpClient"/> (in-process or a real process):
/// sets up a tenant, a foreign tenant, an achievement and one issued credential through the API, sends each case with
/// a time bound and checks status, problem <c>type</c>/<c>code</c> (or the verification report) and that nothing leaks.
/// </summary>
internal sealed class CorpusRunner(HttpClient client, string adminKey)
{
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(10);

    private const string ProblemTypeBase = "urn:badgeissuer:problem:";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal) { ["admin"] = adminKey };

    public CorpusContext Context { get; } = new();

    /// <summary>Issuer "other" with its own key, a key for the default issuer, an achievement and one credential (DI + JWT, revocable).</summary>
    public async Task SetUpAsync()
    {
        JsonNode other = await SendJsonAsync(HttpMethod.Post, "/issuers", "admin", new { name = "Other College", slug = "other" }, HttpStatusCode.Created);
        _keys["tenant"] = (string)(await SendJsonAsync(HttpMethod.Post, "/issuers/default/api-keys", "admin", new { description = "corpus", scopes = new[] { "issue", "revoke", "manage" } }, HttpStatusCode.Created))["apiKey"]!;
        _keys["foreign"] = (string)(await SendJsonAsync(HttpMethod.Post, "/issuers/other/api-keys", "admin", new { description = "corpus", scopes = new[] { "issue", "revoke", "manage" } }, HttpStatusCode.Created))["apiKey"]!;
        // A manage-only key of the default issuer that expires: for requests beyond its scopes and expiry.
        _keys["limited"] = (string)(await SendJsonAsync(HttpMethod.Post, "/issuers/default/api-keys", "admin", new { description = "corpus", scopes = new[] { "manage" }, expiresAt = "2090-01-01T00:00:00Z" }, HttpStatusCode.Created))["apiKey"]!;
        JsonArray apiKeys = (await SendJsonAsync(HttpMethod.Get, "/issuers/default/api-keys", "admin", null, HttpStatusCode.OK))["keys"]!.AsArray();
        Context.Values["adminKeyId"] = (string)apiKeys.First(k => k!["scopes"]!.AsArray().Any(s => (string?)s == "admin"))!["keyId"]!;
        Context.Values["tenantKeyId"] = (string)apiKeys.First(k => k!["scopes"]!.AsArray().Count == 3)!["keyId"]!;

        string achievementId = (string)(await SendJsonAsync(HttpMethod.Post, "/achievements", "tenant", new
        {
            name = "Corpus badge",
            description = "Issued once so the corpus has real ids to aim at.",
            criteria = new { narrative = "Exist." },
        }, HttpStatusCode.Created))["id"]!;
        JsonNode award = await SendJsonAsync(HttpMethod.Post, "/awards", "tenant", new { achievementId, recipient = new { email = "learner@example.org" }, format = "both" }, HttpStatusCode.Created);
        string credentialId = (string)award["credentialId"]!;
        string listUrl = (string)award["credential"]!["credentialStatus"]!["statusListCredential"]!;

        JsonNode did = JsonNode.Parse(await client.GetStringAsync("/issuers/default/did.json", Ct))!;
        Context.Values["issuerId"] = (string)did["id"]!;
        Context.Values["otherIssuerId"] = (string)other["id"]!;
        // The RSA (RS256) key's JWK where there is one: the classic HS256 key-confusion secret.
        JsonNode method = did["verificationMethod"]!.AsArray().FirstOrDefault(m => m?["publicKeyJwk"] is not null) ?? did["verificationMethod"]![0]!;
        Context.Values["issuerPublicJwk"] = (method["publicKeyJwk"] ?? method).ToJsonString();
        Context.Values["achievementId"] = achievementId;
        Context.Values["achievementLocal"] = achievementId[(achievementId.LastIndexOf('/') + 1)..];
        Context.Values["credentialId"] = credentialId;
        Context.Values["credentialLocal"] = credentialId[(credentialId.LastIndexOf('/') + 1)..];
        Context.Values["listId"] = listUrl[(listUrl.LastIndexOf('/') + 1)..];
        Context.Values["credential"] = award["credential"]!.ToJsonString();
        Context.Values["credentialJson"] = Context.Values["credential"];
        Context.Values["jwt"] = (string)award["jwt"]!;

        // Other names of the default issuer (its profile URL; its did:web with the host in upper case, %3a in lower case)
        // and the corpus attacker's key, for the fragment-trust cases.
        string issuerDid = Context.Values["issuerId"];
        int hostEnd = issuerDid.IndexOf(':', "did:web:".Length);
        Context.Values["issuerProfileUrl"] = new Uri(client.BaseAddress!, "/issuers/default").AbsoluteUri;
        Context.Values["issuerIdOtherCase"] = "did:web:" + issuerDid["did:web:".Length..hostEnd].ToUpperInvariant().Replace("%3A", "%3a", StringComparison.Ordinal) + issuerDid[hostEnd..];
        Context.Values["attackerKey"] = CorpusBody.AttackerKey;
        Context.Values["hugeProofValue"] = "z" + new string('2', 10_000);
        Context.Values["hugeBase58"] = new string('2', 5_000);
        Context.Values["dupAlgHeader"] = System.Buffers.Text.Base64Url.EncodeToString("{\"alg\":\"none\",\"alg\":\"EdDSA\"}"u8);
        // A wallet offer with a transaction code (its handle and pre-authorized code), and one already redeemed (its access token).
        JsonNode offer = await SendJsonAsync(HttpMethod.Post, new Uri(credentialId).AbsolutePath + "/offers", "tenant", new { txCode = true }, HttpStatusCode.Created);
        string offerUrl = (string)offer["openid4vci"]!["credentialOfferUrl"]!;
        Context.Values["offerId"] = (string)offer["offerId"]!;
        Context.Values["offerHandle"] = offerUrl[(offerUrl.LastIndexOf('/') + 1)..];
        JsonNode offerDocument = JsonNode.Parse(await client.GetStringAsync(new Uri(offerUrl).AbsolutePath, Ct))!;
        Context.Values["preAuthorizedCode"] = (string)offerDocument["grants"]!["urn:ietf:params:oauth:grant-type:pre-authorized_code"]!["pre-authorized_code"]!;
        // An offer without a transaction code, untouched: its VC-API exchange.
        JsonNode exchangeable = await SendJsonAsync(HttpMethod.Post, new Uri(credentialId).AbsolutePath + "/offers", "tenant", null, HttpStatusCode.Created);
        string exchangeUrl = (string)exchangeable["vcApi"]!["exchangeUrl"]!;
        Context.Values["exchangeHandle"] = exchangeUrl[(exchangeUrl.LastIndexOf('/') + 1)..];
        JsonNode redeemable = await SendJsonAsync(HttpMethod.Post, new Uri(credentialId).AbsolutePath + "/offers", "tenant", null, HttpStatusCode.Created);
        string redeemableUrl = (string)redeemable["openid4vci"]!["credentialOfferUrl"]!;
        JsonNode redeemableDocument = JsonNode.Parse(await client.GetStringAsync(new Uri(redeemableUrl).AbsolutePath, Ct))!;
        using (var form = new FormUrlEncodedContent(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            ["pre-authorized_code"] = (string)redeemableDocument["grants"]!["urn:ietf:params:oauth:grant-type:pre-authorized_code"]!["pre-authorized_code"]!,
        }))
        using (HttpResponseMessage token = await client.PostAsync("/issuers/default/oid4vci/token", form, Ct))
        {
            Context.Values["walletToken"] = (string)JsonNode.Parse(await token.Content.ReadAsStringAsync(Ct))!["access_token"]!;
        }

        Context.Files["$bakedPng"] = await client.GetByteArrayAsync(credentialId + ".png", Ct);
        Context.Files["$bakedSvg"] = await client.GetByteArrayAsync(credentialId + ".svg", Ct);
    }

    /// <summary>Sends one case; null when the answer is as expected, else what was wrong.</summary>
    public async Task<string?> RunAsync(CorpusCase c)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(CaseTimeout);
        using HttpRequestMessage request = Build(c);
        HttpResponseMessage response;
        string text;
        try
        {
            response = await client.SendAsync(request, limit.Token);
            text = await response.Content.ReadAsStringAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            return $"no answer within {CaseTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
        }
        catch (HttpRequestException ex)
        {
            return "no HTTP answer: " + ex.Message;
        }

        using (response)
        {
            return Check(c, response, text);
        }
    }

    private HttpRequestMessage Build(CorpusCase c)
    {
        var request = new HttpRequestMessage(new HttpMethod(c.Method), Context.Fill(c.Path));
        byte[] body = CorpusBody.Build(c.Body, Context);
        if (body.Length > 0 || c.ContentType is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (c.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", Context.Fill(c.ContentType));
            }
        }

        if (c.Auth != "none")
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _keys[c.Auth]);
        }

        foreach ((string name, string value) in c.Headers)
        {
            string filled = Context.Fill(value);
            if (!request.Headers.TryAddWithoutValidation(name, filled))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, filled);
            }
        }

        return request;
    }

    private static string? Check(CorpusCase c, HttpResponseMessage response, string text)
    {
        int status = (int)response.StatusCode;
        string mediaType = response.Content.Headers.ContentType?.MediaType ?? "(none)";
        string got = $"{status} {mediaType} {Excerpt(text)}";
        if (status >= 500)
        {
            return "server error: " + got;
        }

        if (status != c.Expect.Status)
        {
            return $"expected {c.Expect.Status} {(c.Expect.Report ? "report" : c.Expect.Problem ?? c.Expect.Items ?? c.Expect.Error)}, got {got}";
        }

        if (c.Expect.Server)
        {
            return null;
        }

        if (text.Contains("   at ", StringComparison.Ordinal) || text.Contains("Exception", StringComparison.Ordinal) || text.Contains("System.", StringComparison.Ordinal))
        {
            return "internal detail in the answer: " + got;
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return "the answer is not JSON: " + got;
        }

        if (c.Expect.Items is { } itemCode)
        {
            JsonArray? results = node?["results"] as JsonArray;
            return mediaType == "application/json" && (int?)node?["succeeded"] == 0 && results is { Count: > 0 }
                && results.All(r => (string?)r?["problem"]?["type"] == ProblemTypeBase + itemCode && (string?)r?["problem"]?["code"] == itemCode)
                ? null
                : $"expected every batch item to fail with {itemCode}, got {got}";
        }

        if (c.Expect.Error is { } error)
        {
            return mediaType == "application/json" && node?["error"]?.GetValue<string>() == error
                ? null
                : $"expected the protocol error {error}, got {got}";
        }

        if (c.Expect.Report)
        {
            if (mediaType != "application/json" || node?["verified"]?.GetValueKind() != JsonValueKind.False)
            {
                return "expected a verification report with verified=false, got " + got;
            }

            // verified:false always comes with its reason: at least one error and a "Not valid: …" verdict (a
            // presentation report carries the same, with each credential's own report inside).
            if ((node["errors"] as JsonArray) is not { Count: > 0 } || node["verdict"]?.GetValue<string>() is not string verdict || !verdict.StartsWith("Not valid: ", StringComparison.Ordinal))
            {
                return "expected a report whose errors explain verified=false and whose verdict starts 'Not valid: ', got " + got;
            }

            return c.Expect.Failed is not { } step || (node["checks"] as JsonArray)?.Any(k => (string?)k?["name"] == step && (string?)k?["status"] == "failed") == true
                ? null
                : $"expected the step '{c.Expect.Failed}' to fail, got {got}";
        }

        if (mediaType != "application/problem+json")
        {
            return "expected application/problem+json, got " + got;
        }

        string? type = node?["type"]?.GetValue<string>();
        string? code = node?["code"]?.GetValue<string>();
        return type == (c.Expect.Type ?? ProblemTypeBase + c.Expect.Problem) && code == c.Expect.Problem && (int?)node?["status"] == status
            ? null
            : $"expected problem {c.Expect.Problem}, got type {type ?? "(none)"} code {code ?? "(none)"}: {Excerpt(text)}";
    }

    private static string Excerpt(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private async Task<JsonNode> SendJsonAsync(HttpMethod method, string path, string auth, object? body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _keys[auth]);
        using HttpResponseMessage response = await client.SendAsync(request, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == expected).Should().BeTrue($"corpus set-up {method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Every row of every table of the SQLite database in <paramref name="dataDirectory"/>, as one hash per table.</summary>
    public static async Task<Dictionary<string, string>> SnapshotAsync(string dataDirectory)
    {
        var tables = new Dictionary<string, string>(StringComparer.Ordinal);
        var builder = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "badgeissuer.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        await using var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync(Ct);
        var names = new List<string>();
        await using (SqliteCommand list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            await using SqliteDataReader reader = await list.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                names.Add(reader.GetString(0));
            }
        }

        foreach (string name in names)
        {
            await using SqliteCommand select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{name}\" ORDER BY rowid";
            await using SqliteDataReader rows = await select.ExecuteReaderAsync(Ct);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            int count = 0;
            while (await rows.ReadAsync(Ct))
            {
                count++;
                for (int i = 0; i < rows.FieldCount; i++)
                {
                    object value = rows.GetValue(i);
                    hash.AppendData(value is byte[] blob ? blob : Encoding.UTF8.GetBytes(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null"));
                    hash.AppendData([0]);
                }
            }

            tables[name] = count.ToString(CultureInfo.InvariantCulture) + " rows " + Convert.ToHexString(hash.GetHashAndReset())[..16];
        }

        return tables;
    }
}
