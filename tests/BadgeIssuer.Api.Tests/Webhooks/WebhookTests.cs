using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Features.Webhooks;
using BadgeIssuer.Api.Tests.Issue;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BadgeIssuer.Api.Tests.Webhooks;

/// <summary>
/// Signed webhooks end to end: a receiver (Kestrel on loopback, allowed by the test-only loopback option) checks
/// Standard Webhooks signatures, fails on purpose to see retries, records arrival order, and outlives a service
/// restart mid-delivery; the SSRF guard refuses every address class at registration and at connection time.
/// </summary>
public sealed class WebhookTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    private static (string, string)[] Enabled(params (string, string)[] more) =>
    [
        ("BadgeIssuer:Webhooks:Enabled", "true"),
        ("BadgeIssuer:Webhooks:AllowLoopback", "true"),
        ("BadgeIssuer:Webhooks:PollIntervalMilliseconds", "25"),
        ("BadgeIssuer:Webhooks:BackoffBaseMilliseconds", "1000"),
        ("BadgeIssuer:Webhooks:TimeoutSeconds", "10"),
        .. more,
    ];

    private static Task<JsonNode> RegisterAsync(HttpClient client, string url, params string[] eventTypes) =>
        RegisterForAsync("default", client, url, eventTypes);

    private static async Task<JsonNode> RegisterForAsync(string slug, HttpClient client, string url, params string[] eventTypes)
    {
        object body = eventTypes.Length == 0 ? new { url, description = "LMS" } : new { url, eventTypes, description = "LMS" };
        using HttpResponseMessage response = await client.PostAsJsonAsync($"/issuers/{slug}/webhooks", body, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == HttpStatusCode.Created).Should().BeTrue(text);
        return JsonNode.Parse(text)!;
    }

    private static async Task<string> AwardAsync(HttpClient client, string achievementId) =>
        (string)(await IssuingApiTests.AwardAsync(client, achievementId))["credentialId"]!;

    private static async Task<JsonNode> DeliveriesAsync(HttpClient client, string endpointId) =>
        JsonNode.Parse(await client.GetStringAsync($"/issuers/default/webhooks/{endpointId}/deliveries", Ct))!;

    /// <summary>Waits for <paramref name="condition"/>, moving the service clock on by <paramref name="step"/> each round (backoff and leases use it).</summary>
    private static async Task WaitForAsync(Func<bool> condition, string what, BadgeIssuerApplication? app = null, TimeSpan? step = null)
    {
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            (elapsed.Elapsed < s_wait).Should().BeTrue("timed out waiting for " + what);
            if (app is not null && step is { } s)
            {
                app.Clock.Now += s;
            }

            await Task.Delay(25, Ct);
        }
    }

    /// <summary>Waits for <paramref name="condition"/> at most <paramref name="limit"/> (less than the delivery timeout, to tell waiting from not).</summary>
    private static async Task WaitWithinAsync(Func<bool> condition, string what, TimeSpan limit)
    {
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            (elapsed.Elapsed < limit).Should().BeTrue($"{what}: not within {limit.TotalSeconds} s");
            await Task.Delay(25, Ct);
        }
    }

    /// <summary>Removes a test's data directory; a pooled SQLite handle may still hold it a moment (left to the OS then).</summary>
    private static void DeleteQuietly(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Standard Webhooks verification, written from the specification (not the service's code).</summary>
    private static bool SignatureValid(string secret, Received r)
    {
        secret.Should().StartWith("whsec_");
        byte[] key = Convert.FromBase64String(secret["whsec_".Length..]);
        string expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{r.Id}.{r.Timestamp}.{r.Body}")));
        return r.Signature.Split(' ').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), Encoding.ASCII.GetBytes(expected)));
    }

    [Fact]
    public async Task Webhooks_OffByDefault_RegistrationIsRefused()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();

        using HttpResponseMessage response = await client.PostAsJsonAsync("/issuers/default/webhooks", new { url = "https://93.184.216.34/in" }, Ct);

        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await response.Content.ReadAsStringAsync(Ct)).Should().Contain("webhooks-disabled");
    }

    [Fact]
    public async Task Webhooks_IssueSuspendReinstateRevoke_SignedDeliveriesInOrder_RotationAndRedelivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var app = new BadgeIssuerApplication(Enabled());
        using HttpClient client = app.CreateAuthorizedClient();
        JsonNode endpoint = await RegisterAsync(client, receiver.Url("/hook"));
        string secret = (string)endpoint["secret"]!;
        string endpointId = (string)endpoint["id"]!;
        endpoint["eventTypes"]!.AsArray().Count.Should().Be(4);

        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        string credentialId = (string)(await IssuingApiTests.AwardAsync(client, achievementId,
            extra: new { achievementId, recipient = new { email = "learner@example.org" }, status = new[] { "suspension" } }))["credentialId"]!;
        await WaitForAsync(() => !receiver.Received.IsEmpty, "credential.issued");

        Received issued = receiver.Received.First();
        SignatureValid(secret, issued).Should().BeTrue("signature of " + issued.Body);
        SignatureValid("whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), issued).Should().BeFalse("a wrong secret must not verify");
        SignatureValid(secret, issued with { Body = issued.Body.Replace("credential.issued", "credential.revoked", StringComparison.Ordinal) }).Should().BeFalse("a changed body must not verify");
        issued.Timestamp.Should().Be(app.Clock.Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        issued.ContentType.Should().StartWith("application/json");
        JsonNode payload = JsonNode.Parse(issued.Body)!;
        ((string)payload["type"]!).Should().Be("credential.issued");
        ((string)payload["data"]!["credentialId"]!).Should().Be(credentialId);
        ((string)payload["data"]!["issuerId"]!).Should().Be(BadgeIssuerApplication.IssuerId);
        payload["data"]!["achievementId"].Should().NotBeNull();
        issued.Body.Should().NotContainEquivalentOf("learner@example.org");
        issued.Body.Should().NotContain("proof");

        // A rotated secret signs the next deliveries; the old one no longer verifies them.
        using HttpResponseMessage rotate = await client.PostAsync($"/issuers/default/webhooks/{endpointId}/rotate-secret", null, Ct);
        rotate.StatusCode.Should().Be(HttpStatusCode.OK);
        (rotate.Headers.CacheControl?.ToString()).Should().Be("no-store");
        string rotated = (string)JsonNode.Parse(await rotate.Content.ReadAsStringAsync(Ct))!["secret"]!;

        string revocable = await AwardAsync(client, achievementId);
        foreach (string change in new[] { credentialId + "/suspend", credentialId + "/reinstate", revocable + "/revoke" })
        {
            using HttpResponseMessage changed = await client.PostAsync(change, null, Ct);
            changed.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await WaitForAsync(() => receiver.Received.Count >= 5, "a second issue and three status events");
        List<Received> all = [.. receiver.Received.ToArray()];
        all.Select(r => (string)JsonNode.Parse(r.Body)!["type"]!).Should().Equal(["credential.issued", "credential.issued", "credential.suspended", "credential.reinstated", "credential.revoked"]);
        ((string)JsonNode.Parse(all[2].Body)!["data"]!["statusPurpose"]!).Should().Be("suspension");
        ((string)JsonNode.Parse(all[3].Body)!["data"]!["credentialId"]!).Should().Be(credentialId);
        ((string)JsonNode.Parse(all[4].Body)!["data"]!["credentialId"]!).Should().Be(revocable);
        all.Skip(1).Should().AllSatisfy(r => SignatureValid(rotated, r).Should().BeTrue());
        all.Skip(1).Should().AllSatisfy(r => SignatureValid(secret, r).Should().BeFalse());
        ((string)JsonNode.Parse(all[4].Body)!["data"]!["statusPurpose"]!).Should().Be("revocation");

        // The delivery log, then a redelivery of the first message: the same webhook-id again.
        JsonNode log = await DeliveriesAsync(client, endpointId);
        log["deliveries"]!.AsArray().Count.Should().Be(5);
        log["deliveries"]!.AsArray().Should().AllSatisfy(d => ((string)d!["state"]!).Should().Be("succeeded"));
        ((int)log["deliveries"]![0]!["attemptLog"]![0]!["statusCode"]!).Should().Be(200);
        using HttpResponseMessage redeliver = await client.PostAsync($"/issuers/default/webhooks/{endpointId}/messages/{issued.Id}/redeliver", null, Ct);
        redeliver.StatusCode.Should().Be(HttpStatusCode.Accepted);
        await WaitForAsync(() => receiver.Received.Count >= 6, "the redelivery");
        receiver.Received.Last().Id.Should().Be(issued.Id);
        receiver.Received.Last().Body.Should().Be(issued.Body);

        // Secrets never show again.
        string listed = await client.GetStringAsync("/issuers/default/webhooks", Ct);
        listed.Should().NotContain("whsec_");
        listed.Should().NotContain("secret");
    }

    [Fact]
    public async Task Webhooks_ReceiverFailsTwice_RetriedWithBackoff_ThenDelivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, arrival) => arrival <= 2 ? 500 : 200;
        using var app = new BadgeIssuerApplication(Enabled());
        using HttpClient client = app.CreateAuthorizedClient();
        string endpointId = (string)(await RegisterAsync(client, receiver.Url("/hook"), "credential.issued"))["id"]!;
        await AwardAsync(client, await IssuingApiTests.CreateAchievementAsync(client));

        // The first attempt is due at once; the retries only once the clock passes their backoff.
        await WaitForAsync(() => !receiver.Received.IsEmpty, "the first attempt");
        await Task.Delay(300, Ct);
        receiver.Received.Should().ContainSingle();
        await WaitForAsync(() => receiver.Received.Count >= 3, "two retries", app, TimeSpan.FromMilliseconds(500));

        receiver.Received.Select(r => r.Id).Distinct().Should().ContainSingle();
        JsonNode delivery = (await DeliveriesAsync(client, endpointId))["deliveries"]![0]!;
        for (int i = 0; i < 100 && (string)delivery["state"]! != "succeeded"; i++)
        {
            await Task.Delay(25, Ct);
            delivery = (await DeliveriesAsync(client, endpointId))["deliveries"]![0]!;
        }

        ((string)delivery["state"]!).Should().Be("succeeded");
        ((int)delivery["attempts"]!).Should().Be(3);
        delivery["attemptLog"]!.AsArray().Select(a => (int)a!["statusCode"]!).Should().Equal([500, 500, 200]);
    }

    [Fact]
    public async Task Webhooks_AnEarlierMessageRetrying_HoldsBackLaterOnes_DeliveredInOrder()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        string? first = null;
        receiver.Respond = (r, arrival) =>
        {
            first ??= r.Id;
            return r.Id == first && arrival <= 3 ? 503 : 200;
        };
        using var app = new BadgeIssuerApplication(Enabled());
        using HttpClient client = app.CreateAuthorizedClient();
        await RegisterAsync(client, receiver.Url("/hook"), "credential.issued");
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        var issued = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            issued.Add(await AwardAsync(client, achievementId));
        }

        await WaitForAsync(() => receiver.Received.Count(r => r.Status == 200) >= 4, "four delivered messages", app, TimeSpan.FromMilliseconds(500));

        // Arrival order, as issue order: never a later credential before an earlier one is acknowledged.
        List<int> order = receiver.Received.Select(r => issued.IndexOf((string)JsonNode.Parse(r.Body)!["data"]!["credentialId"]!)).ToList();
        order.Should().Equal(order.Order().ToList());
        order.Should().Equal([0, 0, 0, 0, 1, 2, 3]);
    }

    [Fact]
    public async Task Webhooks_KekRotation_RewrapMovesTheSecrets_SoDeliveriesStaySignedUnderTheNewKekAlone()
    {
        string kekA = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        string kekB = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using var receiver = await WebhookReceiver.StartAsync();
        string dataDirectory = Directory.CreateTempSubdirectory("badgeissuer-webhook-kek-").FullName;
        try
        {
            string secret, achievementId;
            using (var a = new BadgeIssuerApplication(Enabled(("BadgeIssuer:KeyEncryptionKey", kekA), ("BadgeIssuer:RewrapKeysAtStart", "false"))) { DataDirectory = dataDirectory, KeepDataDirectory = true })
            {
                using HttpClient client = a.CreateAuthorizedClient();
                secret = (string)(await RegisterAsync(client, receiver.Url("/hook"), "credential.issued"))["secret"]!;
                achievementId = await IssuingApiTests.CreateAchievementAsync(client);
            }

            using (var both = new BadgeIssuerApplication(Enabled(("BadgeIssuer:KeyEncryptionKey", kekB), ("BadgeIssuer:PreviousKeyEncryptionKeys:0", kekA), ("BadgeIssuer:RewrapKeysAtStart", "false"))) { DataDirectory = dataDirectory, KeepDataDirectory = true })
            {
                using HttpClient client = both.CreateAuthorizedClient();
                using HttpResponseMessage rewrap = await client.PostAsync("/admin/kek/rewrap", null, Ct);
                string text = await rewrap.Content.ReadAsStringAsync(Ct);
                (rewrap.StatusCode == HttpStatusCode.OK).Should().BeTrue(text);
                JsonNode report = JsonNode.Parse(text)!;
                ((int)report["rewrapped"]!).Should().Be(3); // Ed25519 and RSA of the did:web issuer, and the endpoint's secret
                report["failed"]!.AsArray().Should().BeEmpty();
            }

            // The previous KEK is gone: the secret must have moved, or nothing could be signed.
            using var b = new BadgeIssuerApplication(Enabled(("BadgeIssuer:KeyEncryptionKey", kekB), ("BadgeIssuer:RewrapKeysAtStart", "false"))) { DataDirectory = dataDirectory, KeepDataDirectory = true };
            using HttpClient after = b.CreateAuthorizedClient();
            await AwardAsync(after, achievementId);
            await WaitForAsync(() => receiver.Received.Any(r => r.Status == 200), "a delivery signed after the rotation", b, TimeSpan.FromSeconds(5));
            SignatureValid(secret, receiver.Received.First(r => r.Status == 200)).Should().BeTrue("signed with the endpoint's secret");
        }
        finally
        {
            DeleteQuietly(dataDirectory);
        }
    }

    [Fact]
    public async Task Webhooks_ServiceStoppedMidDelivery_TheNextInstanceDeliversIt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var firstArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.RespondAsync = async (r, arrival, aborted) =>
        {
            if (arrival == 1)
            {
                // Hold the first delivery open until the service goes away mid-request.
                firstArrived.TrySetResult();
                await Task.Delay(Timeout.Infinite, aborted);
            }

            return 200;
        };

        string dataDirectory = Directory.CreateTempSubdirectory("badgeissuer-webhook-restart-").FullName;
        try
        {
            string endpointId;
            var a = new BadgeIssuerApplication(Enabled()) { DataDirectory = dataDirectory, KeepDataDirectory = true };
            using (a)
            {
                using HttpClient client = a.CreateAuthorizedClient();
                endpointId = (string)(await RegisterAsync(client, receiver.Url("/hook")))["id"]!;
                await AwardAsync(client, await IssuingApiTests.CreateAchievementAsync(client));
                await firstArrived.Task.WaitAsync(s_wait, Ct);
            }

            // A new instance on the same data: the old lease runs out (the clock moves past it) and the message goes again.
            using var b = new BadgeIssuerApplication(Enabled()) { DataDirectory = dataDirectory, KeepDataDirectory = true };
            using HttpClient second = b.CreateAuthorizedClient();
            await WaitForAsync(() => receiver.Received.Any(r => r.Status == 200), "the redelivery by the second instance", b, TimeSpan.FromSeconds(5));

            List<Received> got = [.. receiver.Received.ToArray()];
            got.Count.Should().Be(2);
            got[1].Id.Should().Be(got[0].Id);
            JsonNode delivery = (await DeliveriesAsync(second, endpointId))["deliveries"]![0]!;
            for (int i = 0; i < 100 && (string)delivery["state"]! != "succeeded"; i++)
            {
                await Task.Delay(25, Ct);
                delivery = (await DeliveriesAsync(second, endpointId))["deliveries"]![0]!;
            }

            ((string)delivery["state"]!).Should().Be("succeeded");
        }
        finally
        {
            DeleteQuietly(dataDirectory);
        }
    }

    [Fact]
    public async Task Webhooks_Redirect_IsNotFollowed_AndCountsAsAFailure()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, _) => 307;
        using var app = new BadgeIssuerApplication(Enabled(("BadgeIssuer:Webhooks:MaxAttempts", "1")));
        using HttpClient client = app.CreateAuthorizedClient();
        string endpointId = (string)(await RegisterAsync(client, receiver.Url("/hook")))["id"]!;
        await AwardAsync(client, await IssuingApiTests.CreateAchievementAsync(client));

        JsonNode? delivery = null;
        await WaitForAsync(() =>
        {
            delivery = DeliveriesAsync(client, endpointId).GetAwaiter().GetResult()["deliveries"]![0]!;
            return (string)delivery["state"]! == "failed";
        }, "a failed delivery");

        ((int)delivery!["lastStatusCode"]!).Should().Be(307);
        ((string)delivery["lastError"]!).Should().Contain("redirects are not followed");
        receiver.Received.Should().AllSatisfy(r => r.Path.Should().Be("/hook"));
    }

    [Fact]
    public async Task Webhooks_HostResolvingToAPrivateAddressLater_IsRefusedAtConnection()
    {
        using var app = new BadgeIssuerApplication(
            ("BadgeIssuer:Webhooks:Enabled", "true"), ("BadgeIssuer:Webhooks:PollIntervalMilliseconds", "25"), ("BadgeIssuer:Webhooks:MaxAttempts", "1"));
        using HttpClient client = app.CreateAuthorizedClient();
        WebhookAddressGuard guard = app.Services.GetRequiredService<WebhookAddressGuard>();
        int lookups = 0;
        // DNS rebinding: public when registered, then the cloud metadata address when connecting.
        guard.Resolve = (host, _) => Task.FromResult(Interlocked.Increment(ref lookups) == 1 ? new[] { IPAddress.Parse("93.184.216.34") } : new[] { IPAddress.Parse("169.254.169.254") });
        string endpointId = (string)(await RegisterAsync(client, "https://hooks.rebind.test/in"))["id"]!;
        await AwardAsync(client, await IssuingApiTests.CreateAchievementAsync(client));

        JsonNode? delivery = null;
        await WaitForAsync(() =>
        {
            delivery = DeliveriesAsync(client, endpointId).GetAwaiter().GetResult()["deliveries"]![0]!;
            return (string)delivery["state"]! == "failed";
        }, "a refused delivery");

        delivery!["lastStatusCode"].Should().BeNull();
        string error = (string)delivery["lastError"]!;
        error.Should().Contain("address guard");
        // Generic: the log is read by API callers, who must not learn which internal address or range a name maps to.
        error.Should().Contain("refused (non-public) address");
        error.Should().NotContain("169.254");
        error.Should().NotContain("link-local");
    }

    [Fact]
    public async Task Webhooks_Registration_RefusedAddress_IsReportedWithoutTheAddressOrItsRange()
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:Webhooks:Enabled", "true"));
        using HttpClient client = app.CreateAuthorizedClient();
        WebhookAddressGuard guard = app.Services.GetRequiredService<WebhookAddressGuard>();
        guard.Resolve = (host, _) => Task.FromResult(new[] { IPAddress.Parse("93.184.216.34"), IPAddress.Parse("10.20.30.40") });

        foreach (string url in new[] { "https://intranet.corp.test/in", "https://[fd12:3456::1]/in", "https://169.254.169.254/latest" })
        {
            using HttpResponseMessage refused = await client.PostAsJsonAsync("/issuers/default/webhooks", new { url }, Ct);
            string text = await refused.Content.ReadAsStringAsync(Ct);

            refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            text.Should().Contain("refused (non-public) address");
            text.Should().NotContain("10.20.30.40");
            foreach (string range in new[] { "private", "link-local", "10.0.0.0/8", "fc00::/7", "169.254.0.0/16", "unique local" })
            {
                text.Should().NotContain(range);
            }
        }
    }

    [Fact]
    public async Task Webhooks_Port_OnlyAllowedPorts_AtRegistration()
    {
        using (var app = new BadgeIssuerApplication(("BadgeIssuer:Webhooks:Enabled", "true")))
        {
            using HttpClient client = app.CreateAuthorizedClient();
            foreach (string url in new[] { "https://93.184.216.34:8443/in", "https://93.184.216.34:22/in", "https://93.184.216.34:6379/in", "https://93.184.216.34:80/in" })
            {
                using HttpResponseMessage refused = await client.PostAsJsonAsync("/issuers/default/webhooks", new { url }, Ct);
                string text = await refused.Content.ReadAsStringAsync(Ct);
                (refused.StatusCode == HttpStatusCode.BadRequest).Should().BeTrue(url + ": " + text);
                text.Should().Contain("port is not allowed");
            }

            await RegisterAsync(client, "https://93.184.216.34/in");
            await RegisterAsync(client, "https://93.184.216.34:443/in2");
        }

        using (var app = new BadgeIssuerApplication(("BadgeIssuer:Webhooks:Enabled", "true"), ("BadgeIssuer:Webhooks:AllowedPorts:0", "8443")))
        {
            using HttpClient client = app.CreateAuthorizedClient();
            await RegisterAsync(client, "https://93.184.216.34:8443/in");
            using HttpResponseMessage refused = await client.PostAsJsonAsync("/issuers/default/webhooks", new { url = "https://93.184.216.34/in" }, Ct);
            refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        }
    }

    [Fact]
    public async Task Webhooks_Port_NotAllowed_IsRefusedAtConnection()
    {
        using var app = new BadgeIssuerApplication(
            ("BadgeIssuer:Webhooks:Enabled", "true"), ("BadgeIssuer:Webhooks:PollIntervalMilliseconds", "25"), ("BadgeIssuer:Webhooks:MaxAttempts", "1"));
        using HttpClient client = app.CreateAuthorizedClient();
        WebhookAddressGuard guard = app.Services.GetRequiredService<WebhookAddressGuard>();
        guard.Resolve = (host, _) => Task.FromResult(new[] { IPAddress.Parse("93.184.216.34") });
        string endpointId = (string)(await RegisterAsync(client, "https://hooks.port.test/in"))["id"]!;
        // A URL that got in some other way (an older version, the database): the connection is checked all the same.
        BadgeIssuer.Storage.IBadgeStorage storage = app.Services.GetRequiredService<BadgeIssuer.Storage.IBadgeStorage>();
        BadgeIssuer.Storage.WebhookEndpointRecord stored = (await storage.Webhooks.GetEndpointAsync(endpointId, Ct))!;
        (await storage.Webhooks.UpdateEndpointAsync(stored with { Url = "https://hooks.port.test:6379/in" }, Ct)).Should().BeTrue();
        await AwardAsync(client, await IssuingApiTests.CreateAchievementAsync(client));

        JsonNode? delivery = null;
        await WaitForAsync(() =>
        {
            delivery = DeliveriesAsync(client, endpointId).GetAwaiter().GetResult()["deliveries"]![0]!;
            return (string)delivery["state"]! == "failed";
        }, "a refused delivery");

        delivery!["lastStatusCode"].Should().BeNull();
        ((string)delivery["lastError"]!).Should().Contain("address guard");
        ((string)delivery["lastError"]!).Should().Contain("port is not allowed");
    }

    [Fact]
    public async Task Webhooks_Description_RefusesControlBidiAndSeparatorCharacters()
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:Webhooks:Enabled", "true"));
        using HttpClient client = app.CreateAuthorizedClient();
        string id = (string)(await RegisterAsync(client, "https://93.184.216.34/in"))["id"]!;
        // Letters of any script, punctuation, emoji and a zero-width joiner are fine.
        using (HttpResponseMessage fine = await client.PostAsJsonAsync("/issuers/default/webhooks", new { url = "https://93.184.216.34/ok", description = "LMS – Zürich 🎓 עברית x\u200Dy" }, Ct))
        {
            (fine.StatusCode == HttpStatusCode.Created).Should().BeTrue(await fine.Content.ReadAsStringAsync(Ct));
        }

        foreach (char c in "\u0000\u0007\u0009\u000A\u000D\u001B\u007F\u0085\u009B\u200E\u200F\u061C\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u2028\u2029")
        {
            string description = "LMS " + c + "evil";
            using HttpResponseMessage create = await client.PostAsJsonAsync("/issuers/default/webhooks", new { url = "https://93.184.216.34/in", description }, Ct);
            string created = await create.Content.ReadAsStringAsync(Ct);
            (create.StatusCode == HttpStatusCode.BadRequest).Should().BeTrue($"U+{(int)c:X4}: {created}");
            created.Should().Contain("invalid-request");
            created.Should().Contain("/description");

            using HttpResponseMessage update = await client.PatchAsJsonAsync($"/issuers/default/webhooks/{id}", new { description }, Ct);
            string updated = await update.Content.ReadAsStringAsync(Ct);
            (update.StatusCode == HttpStatusCode.BadRequest).Should().BeTrue($"U+{(int)c:X4}: {updated}");
            updated.Should().Contain("/description");
        }

        ((string)JsonNode.Parse(await client.GetStringAsync($"/issuers/default/webhooks/{id}", Ct))!["description"]!).Should().Be("LMS");
    }

    [Fact]
    public async Task Webhooks_Redeliver_RefusedWhileACopyIsPending_AndWhileTheEndpointHasTooManyPending()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var app = new BadgeIssuerApplication(Enabled(("BadgeIssuer:Webhooks:MaxPendingForRedelivery", "2")));
        using HttpClient client = app.CreateAuthorizedClient();
        string endpointId = (string)(await RegisterAsync(client, receiver.Url("/hook"), "credential.issued"))["id"]!;
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        for (int i = 0; i < 3; i++)
        {
            await AwardAsync(client, achievementId);
        }

        await WaitForAsync(() => receiver.Received.Count >= 3, "three deliveries");
        List<string> messages = [.. receiver.Received.Select(r => r.Id)];
        // Disabled, so what is queued stays pending.
        using (HttpResponseMessage disable = await client.PatchAsJsonAsync($"/issuers/default/webhooks/{endpointId}", new { enabled = false }, Ct))
        {
            disable.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        string Redeliver(string messageId) => $"/issuers/default/webhooks/{endpointId}/messages/{messageId}/redeliver";
        using (HttpResponseMessage first = await client.PostAsync(Redeliver(messages[0]), null, Ct))
        {
            first.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        for (int i = 0; i < 30; i++)
        {
            using HttpResponseMessage again = await client.PostAsync(Redeliver(messages[0]), null, Ct);
            again.StatusCode.Should().Be(HttpStatusCode.Conflict);
            (await again.Content.ReadAsStringAsync(Ct)).Should().Contain("urn:badgeissuer:problem:redelivery-pending");
        }

        using (HttpResponseMessage second = await client.PostAsync(Redeliver(messages[1]), null, Ct))
        {
            second.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        using (HttpResponseMessage third = await client.PostAsync(Redeliver(messages[2]), null, Ct))
        {
            third.StatusCode.Should().Be(HttpStatusCode.Conflict);
            (await third.Content.ReadAsStringAsync(Ct)).Should().Contain("urn:badgeissuer:problem:redelivery-backlog");
        }

        JsonNode log = await DeliveriesAsync(client, endpointId);
        log["deliveries"]!.AsArray().Count.Should().Be(5);
        log["deliveries"]!.AsArray().Count(d => (string)d!["state"]! == "pending").Should().Be(2);
    }

    [Fact]
    public async Task Webhooks_Off_PendingDeliveriesExpireAfterMaxAge_AndArePurged()
    {
        string dataDirectory = Directory.CreateTempSubdirectory("badgeissuer-webhook-off-").FullName;
        try
        {
            string endpointId;
            using (var on = new BadgeIssuerApplication(Enabled()) { DataDirectory = dataDirectory, KeepDataDirectory = true })
            {
                using HttpClient client = on.CreateAuthorizedClient();
                endpointId = (string)(await RegisterAsync(client, "http://127.0.0.1:9/hook", "credential.issued"))["id"]!;
            }

            // Turned off later: the endpoint is still there and issuance still writes its outbox rows, which nothing sends.
            using var off = new BadgeIssuerApplication(
                ("BadgeIssuer:Webhooks:PollIntervalMilliseconds", "25"), ("BadgeIssuer:Webhooks:MaxAgeHours", "24"), ("BadgeIssuer:Webhooks:RetentionDays", "30"))
            { DataDirectory = dataDirectory, KeepDataDirectory = true };
            using HttpClient offClient = off.CreateAuthorizedClient();
            await AwardAsync(offClient, await IssuingApiTests.CreateAchievementAsync(offClient));
            JsonNode Delivery() => DeliveriesAsync(offClient, endpointId).GetAwaiter().GetResult()["deliveries"]!.AsArray().Single()!;
            ((string)Delivery()["state"]!).Should().Be("pending");

            off.Clock.Now += TimeSpan.FromHours(25);
            await WaitForAsync(() => (string)Delivery()["state"]! == "failed", "the old pending delivery to be marked failed");
            ((string)Delivery()["lastError"]!).Should().Be(WebhookDispatcher.ExpiredWhileOff);
            ((int)Delivery()["attempts"]!).Should().Be(0);

            off.Clock.Now += TimeSpan.FromDays(31);
            await WaitForAsync(() => DeliveriesAsync(offClient, endpointId).GetAwaiter().GetResult()["deliveries"]!.AsArray().Count == 0, "the purge");
        }
        finally
        {
            DeleteQuietly(dataDirectory);
        }
    }

    [Fact]
    public async Task Webhooks_SlowEndpoint_HoldsOnePlace_TheOtherPlacesRefillAsDeliveriesEnd()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int slowArrivals = 0;
        receiver.RespondAsync = async (r, _, aborted) =>
        {
            if (r.Path == "/slow")
            {
                Interlocked.Increment(ref slowArrivals);
                await release.Task.WaitAsync(aborted);
            }

            return 200;
        };
        using var app = new BadgeIssuerApplication(Enabled(("BadgeIssuer:Webhooks:MaxConcurrentDeliveries", "2"), ("BadgeIssuer:Webhooks:TimeoutSeconds", "60")));
        using HttpClient client = app.CreateAuthorizedClient();
        await RegisterAsync(client, receiver.Url("/slow"), "credential.issued");
        await RegisterAsync(client, receiver.Url("/fast"), "credential.issued");
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        for (int i = 0; i < 4; i++)
        {
            await AwardAsync(client, achievementId);
        }

        try
        {
            // The slow endpoint's first message holds one place (answering just under the timeout); the fast endpoint's
            // four go through the other place one after another, without waiting for it.
            await WaitWithinAsync(() => receiver.Received.Count(r => r.Path == "/fast") >= 4, "the fast endpoint's four messages", TimeSpan.FromSeconds(20));
            Volatile.Read(ref slowArrivals).Should().Be(1);
        }
        finally
        {
            release.TrySetResult();
        }

        await WaitForAsync(() => receiver.Received.Count(r => r.Path == "/slow") >= 4, "the slow endpoint's four messages");
    }

    [Fact]
    public async Task Webhooks_OneIssuersSlowEndpoints_CannotTakeEveryPlace()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int slowArrivals = 0;
        receiver.RespondAsync = async (r, _, aborted) =>
        {
            if (r.Path.StartsWith("/slow", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref slowArrivals);
                await release.Task.WaitAsync(aborted);
            }

            return 200;
        };
        using var app = new BadgeIssuerApplication(Enabled(
            ("BadgeIssuer:Webhooks:MaxConcurrentDeliveries", "3"), ("BadgeIssuer:Webhooks:MaxConcurrentDeliveriesPerIssuer", "2"), ("BadgeIssuer:Webhooks:TimeoutSeconds", "60")));
        using HttpClient admin = app.CreateAuthorizedClient();
        using HttpResponseMessage created = await admin.PostAsJsonAsync("/issuers", new { name = "Other College", slug = "other" }, Ct);
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        string otherIssuerId = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!["id"]!;

        // The default issuer: three endpoints that answer just under the timeout.
        for (int i = 0; i < 3; i++)
        {
            await RegisterAsync(admin, receiver.Url("/slow" + i), "credential.issued");
        }

        await RegisterForAsync("other", admin, receiver.Url("/fast"), "credential.issued");
        await AwardAsync(admin, await IssuingApiTests.CreateAchievementAsync(admin));
        string otherAchievement = await IssuingApiTests.CreateAchievementAsync(admin, new
        {
            issuerId = otherIssuerId, name = "Other badge", description = "d", criteria = new { narrative = "x" },
        });

        try
        {
            await WaitWithinAsync(() => Volatile.Read(ref slowArrivals) >= 2, "two slow deliveries in flight", TimeSpan.FromSeconds(20));
            for (int i = 0; i < 3; i++)
            {
                await AwardAsync(admin, otherAchievement);
            }

            // The default issuer holds two places at most: the other issuer's messages go through the third.
            await WaitWithinAsync(() => receiver.Received.Count(r => r.Path == "/fast") >= 3, "the other issuer's three messages", TimeSpan.FromSeconds(20));
            Volatile.Read(ref slowArrivals).Should().Be(2);
        }
        finally
        {
            release.TrySetResult();
        }

        await WaitForAsync(() => receiver.Received.Count(r => r.Path.StartsWith("/slow", StringComparison.Ordinal)) >= 3, "the slow endpoints' messages");
    }

    [Fact]
    public void Options_NewBoundsAreValidated()
    {
        var validator = new WebhookOptionsValidator();
        validator.Validate(null, new WebhookOptions()).Succeeded.Should().BeTrue();
        validator.Validate(null, new WebhookOptions { AllowedPorts = [443, 8443] }).Succeeded.Should().BeTrue();
        foreach (WebhookOptions bad in new[]
        {
            new WebhookOptions { MaxConcurrentDeliveriesPerIssuer = 0 },
            new WebhookOptions { MaxPendingForRedelivery = 0 },
            new WebhookOptions { AllowedPorts = [0] },
            new WebhookOptions { AllowedPorts = [65536] },
            new WebhookOptions { AllowedPorts = [.. Enumerable.Range(1000, 33)] },
        })
        {
            validator.Validate(null, bad).Failed.Should().BeTrue();
        }

        new WebhookOptions().EffectivePorts.Should().Equal([443]);
    }

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.0.1", "private")]
    [InlineData("fc00::1", "private")]
    [InlineData("fd12:3456::1", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("100.64.0.1", "CGNAT")]
    [InlineData("100.127.255.254", "CGNAT")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("255.255.255.255", "reserved")]
    [InlineData("192.0.0.8", "reserved")]
    [InlineData("192.0.2.1", "documentation")]
    [InlineData("198.51.100.1", "documentation")]
    [InlineData("203.0.113.1", "documentation")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("2001:db8::1", "documentation")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("::ffff:127.0.0.1", "IPv4-mapped")]
    [InlineData("::ffff:8.8.8.8", "IPv4-mapped")]
    [InlineData("::127.0.0.1", "reserved")]
    [InlineData("64:ff9b::a00:1", "reserved")]
    [InlineData("2002:a00:1::1", "6to4")]
    [InlineData("2001:0:4136:e378::1", "Teredo")]
    [InlineData("fec0::1", "site-local")]
    public void AddressGuard_RefusesEveryNonPublicClass(string address, string why)
    {
        string? reason = WebhookAddressGuard.WhyRefused(IPAddress.Parse(address), allowLoopback: false);

        reason.Should().NotBeNull();
        reason.Should().Contain(why);
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:80b::200e")]
    public void AddressGuard_AcceptsPublicUnicast(string address) =>
        WebhookAddressGuard.WhyRefused(IPAddress.Parse(address), allowLoopback: false).Should().BeNull();

    [Fact]
    public void AddressGuard_LoopbackAllowance_CoversLoopbackOnly()
    {
        WebhookAddressGuard.WhyRefused(IPAddress.Loopback, allowLoopback: true).Should().BeNull();
        WebhookAddressGuard.WhyRefused(IPAddress.IPv6Loopback, allowLoopback: true).Should().BeNull();
        WebhookAddressGuard.WhyRefused(IPAddress.Parse("10.0.0.1"), allowLoopback: true).Should().NotBeNull();
        WebhookAddressGuard.WhyRefused(IPAddress.Parse("::ffff:127.0.0.1"), allowLoopback: true).Should().NotBeNull();
    }

    [Fact]
    public async Task Webhooks_Registration_RefusesHttpAndLoopbackWithoutTheTestAllowance_AndBoundsEndpoints()
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:Webhooks:Enabled", "true"), ("BadgeIssuer:Webhooks:MaxEndpointsPerIssuer", "2"));
        using HttpClient client = app.CreateAuthorizedClient();
        foreach (string url in new[] { "http://93.184.216.34/in", "https://127.0.0.1/in", "https://localhost/in", "https://[::1]/in" })
        {
            using HttpResponseMessage refused = await client.PostAsJsonAsync("/issuers/default/webhooks", new { url }, Ct);
            refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        }

        string id = (string)(await RegisterAsync(client, "https://93.184.216.34/a"))["id"]!;
        await RegisterAsync(client, "https://93.184.216.34/b", "credential.revoked");
        using HttpResponseMessage third = await client.PostAsJsonAsync("/issuers/default/webhooks", new { url = "https://93.184.216.34/c" }, Ct);
        third.StatusCode.Should().Be(HttpStatusCode.Conflict);

        using HttpResponseMessage disable = await client.PatchAsJsonAsync($"/issuers/default/webhooks/{id}", new { enabled = false }, Ct);
        ((bool)JsonNode.Parse(await disable.Content.ReadAsStringAsync(Ct))!["enabled"]!).Should().BeFalse();
        using HttpResponseMessage delete = await client.DeleteAsync($"/issuers/default/webhooks/{id}", Ct);
        delete.StatusCode.Should().Be(HttpStatusCode.NoContent);
        using HttpResponseMessage gone = await client.GetAsync($"/issuers/default/webhooks/{id}", Ct);
        gone.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Webhooks_TwoInstancesOnPostgres_EachMessageSentOnce_InOrder()
    {
        string? admin = BadgeIssuer.Tests.Shared.TestPostgres.AdminConnectionString;
        Assert.SkipWhen(string.IsNullOrEmpty(admin), BadgeIssuer.Tests.Shared.TestPostgres.SkipReason);
        string database = "badgeissuer_webhooks_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(Ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database};", connection);
            await create.ExecuteNonQueryAsync(Ct);
        }

        try
        {
            await using var receiver = await WebhookReceiver.StartAsync();
            receiver.RespondAsync = async (_, _, aborted) =>
            {
                await Task.Delay(20, aborted);
                return 200;
            };
            string connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database, MaxPoolSize = 20 }.ConnectionString;
            (string, string)[] settings = Enabled(
                ("ConnectionStrings:Postgres", connectionString),
                ("BadgeIssuer:KeyEncryptionKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))),
                ("BadgeIssuer:Webhooks:PollIntervalMilliseconds", "10"));
            using var a = new BadgeIssuerApplication(settings);
            using HttpClient clientA = a.CreateAuthorizedClient();
            using var b = new BadgeIssuerApplication(settings);
            using HttpClient clientB = b.CreateAuthorizedClient();
            await RegisterAsync(clientA, receiver.Url("/hook"), "credential.issued", "credential.revoked");
            string achievementId = await IssuingApiTests.CreateAchievementAsync(clientA);

            var issued = new List<string>();
            for (int i = 0; i < 30; i++)
            {
                HttpClient client = i % 2 == 0 ? clientA : clientB;
                string credentialId = await AwardAsync(client, achievementId);
                issued.Add(credentialId);
                if (i % 5 == 0)
                {
                    using HttpResponseMessage revoke = await (i % 10 == 0 ? clientB : clientA).PostAsync(credentialId + "/revoke", null, Ct);
                    revoke.StatusCode.Should().Be(HttpStatusCode.OK);
                }
            }

            await WaitForAsync(() => receiver.Received.Count >= 36, "36 messages");
            await Task.Delay(1000, Ct);

            List<Received> got = [.. receiver.Received.ToArray()];
            got.Count.Should().Be(36);
            got.Select(r => r.Id).Distinct().Count().Should().Be(36);
            // One endpoint: the order of arrival is the order of the changes.
            var expected = new List<string>();
            for (int i = 0; i < 30; i++)
            {
                expected.Add("credential.issued " + issued[i]);
                if (i % 5 == 0)
                {
                    expected.Add("credential.revoked " + issued[i]);
                }
            }

            got.Select(r => JsonNode.Parse(r.Body)!).Select(p => (string)p["type"]! + " " + (string)p["data"]!["credentialId"]!).Should().Equal(expected);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync(Ct);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE);", connection);
            await drop.ExecuteNonQueryAsync(Ct);
        }
    }
}

/// <summary>One request the receiver got, and the status it answered.</summary>
internal sealed record Received(string Path, string Id, string Timestamp, string Signature, string ContentType, string Body, int Status);

/// <summary>A webhook receiver: Kestrel on 127.0.0.1 (a free port), recording every request in arrival order.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _arrivals = new(StringComparer.Ordinal);

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<Received> Received { get; } = new();

    /// <summary>The status for a request, given how many times its webhook-id has arrived (1 the first time).</summary>
    public Func<Received, int, int> Respond { get; set; } = (_, _) => 200;

    /// <summary>As <see cref="Respond"/>, asynchronous, with the request's abort token; set to take over from it.</summary>
    public Func<Received, int, CancellationToken, Task<int>>? RespondAsync { get; set; }

    public string BaseUrl { get; private set; } = "";

    public string Url(string path) => BaseUrl + path;

    public static async Task<WebhookReceiver> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        string body = await reader.ReadToEndAsync(context.RequestAborted);
        var received = new Received(
            context.Request.Path, context.Request.Headers["webhook-id"].ToString(), context.Request.Headers["webhook-timestamp"].ToString(),
            context.Request.Headers["webhook-signature"].ToString(), context.Request.ContentType ?? "", body, 0);
        int arrival = _arrivals.AddOrUpdate(received.Id, 1, (_, n) => n + 1);
        int status;
        try
        {
            status = RespondAsync is { } respond ? await respond(received, arrival, context.RequestAborted) : Respond(received, arrival);
        }
        catch (OperationCanceledException)
        {
            Received.Enqueue(received with { Status = -1 });
            return;
        }

        Received.Enqueue(received with { Status = status });
        context.Response.StatusCode = status;
        if (status is >= 300 and < 400)
        {
            context.Response.Headers.Location = BaseUrl + "/elsewhere";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
