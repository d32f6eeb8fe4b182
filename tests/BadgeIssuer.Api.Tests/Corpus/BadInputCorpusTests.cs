using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using BadgeIssuer.Api.Tests.Samples;

namespace BadgeIssuer.Api.Tests.Corpus;

/// <summary>
/// The bad-input corpus (<c>Corpus/cases/*.json</c>): every hostile request gets its exact 4xx and stable problem
/// <c>type</c> (or, for readable-but-bad credentials, the verification report), none a 5xx or a hang; afterwards the
/// service is ready and its database is unchanged. In-process for every case; a real process for the smoke subset
/// and what only a real server enforces (header and request-line limits).
/// </summary>
public sealed class BadInputCorpusTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Manifest_HasAtLeast200UniqueCases_WithDeclaredProblemCodes()
    {
        IReadOnlyList<CorpusCase> cases = CorpusCases.All;
        string[] duplicates = cases.GroupBy(c => c.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();

        (cases.Count >= 200).Should().BeTrue($"{cases.Count} cases");
        duplicates.Should().BeEmpty();
        HashSet<string> declared = DeclaredProblemCodes();
        cases.Should().AllSatisfy(c => ((c.Expect.Problem ?? c.Expect.Items) is not { } code || declared.Contains(code) || c.Expect.Type is not null).Should().BeTrue($"{c.Id}: '{c.Expect.Problem ?? c.Expect.Items}' is not a declared problem code"));
        // 4xx, except a batch whose every item failed (200 with one problem per item, by design).
        cases.Should().AllSatisfy(c => (c.Expect.Status is >= 400 and < 500 || (c.Expect.Status == 200 && c.Expect.Items is not null)).Should().BeTrue($"{c.Id}: {c.Expect.Status}"));
        cases.Should().AllSatisfy(c => (c.Expect.Server || new[] { c.Expect.Report, c.Expect.Problem is not null, c.Expect.Items is not null, c.Expect.Error is not null }.Count(b => b) == 1)
            .Should().BeTrue($"{c.Id}: expect one of a problem, a report, failed batch items or a protocol error"));
    }

    [Fact]
    public async Task Corpus_InProcess_EveryCaseGetsItsProblem_AndNoStoredDataChanges()
    {
        // Webhooks on, so their registration checks run (no case registers an endpoint, so nothing is ever sent).
        using var app = new BadgeIssuerApplication(("BadgeIssuer:Webhooks:Enabled", "true"));
        using HttpClient client = app.CreateClient();
        var runner = new CorpusRunner(client, BadgeIssuerApplication.ApiKey);
        await runner.SetUpAsync();
        Dictionary<string, string> before = await CorpusRunner.SnapshotAsync(app.DataDirectory);

        var failures = new List<string>();
        foreach (CorpusCase c in CorpusCases.All.Where(c => !c.ProcessOnly))
        {
            if (await runner.RunAsync(c) is { } failure)
            {
                failures.Add($"{c.Id} ({c.File}): {failure}");
            }
        }

        (failures.Count == 0).Should().BeTrue($"{failures.Count} corpus case(s) failed:\n" + string.Join("\n", failures));
        await AssertReadyAndUnchangedAsync(client, app.DataDirectory, before);
    }

    [Fact]
    public async Task Corpus_RealProcess_SmokeSubsetAndServerLimits()
    {
        using var service = await ServiceProcess.StartAsync(("BadgeIssuer__Bootstrap__ApiKey", BadgeIssuerApplication.ApiKey));
        // A fresh connection per request: after refusing a body (413) Kestrel closes the connection, and a pooled one could
        // be picked up just as it closes.
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = new Uri(service.BaseUrl), Timeout = Timeout.InfiniteTimeSpan };
        var runner = new CorpusRunner(client, BadgeIssuerApplication.ApiKey);
        await runner.SetUpAsync();
        Dictionary<string, string> before = await CorpusRunner.SnapshotAsync(service.DataDirectory);

        CorpusCase[] subset = CorpusCases.All.Where(c => c.Smoke || c.ProcessOnly).ToArray();
        (subset.Length >= 20).Should().BeTrue($"{subset.Length} smoke cases");
        var failures = new List<string>();
        foreach (CorpusCase c in subset)
        {
            if (await runner.RunAsync(c) is { } failure)
            {
                failures.Add($"{c.Id} ({c.File}): {failure}");
            }
        }

        (failures.Count == 0).Should().BeTrue($"{failures.Count} corpus case(s) failed against the real service:\n" + string.Join("\n", failures) + "\nservice log:\n" + service.Log);
        await AssertReadyAndUnchangedAsync(client, service.DataDirectory, before);
    }

    private static async Task AssertReadyAndUnchangedAsync(HttpClient client, string dataDirectory, Dictionary<string, string> before)
    {
        using HttpResponseMessage ready = await client.GetAsync("/readyz", Ct);
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        Dictionary<string, string> after = await CorpusRunner.SnapshotAsync(dataDirectory);
        after.Should().Equal(before);
    }

    // Every ApiProblem the service declares (ApiProblems, VerifyProblems, the rate limiter, ...), by reflection.
    private static HashSet<string> DeclaredProblemCodes()
    {
        Assembly api = typeof(Program).Assembly;
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (Type type in api.GetTypes())
        {
            foreach (FieldInfo field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (field.FieldType.Name == "ApiProblem" && field.GetValue(null) is { } problem)
                {
                    codes.Add((string)field.FieldType.GetProperty("Code")!.GetValue(problem)!);
                }
            }
        }

        return codes;
    }
}

/// <summary>The built service started with <c>dotnet BadgeIssuer.Api.dll</c> on a free loopback port and a temp data directory.</summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly StringBuilder _log;
    private readonly DirectoryInfo _data;

    private ServiceProcess(System.Diagnostics.Process process, StringBuilder log, DirectoryInfo data, string baseUrl)
    {
        _process = process;
        _log = log;
        _data = data;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public string DataDirectory => _data.FullName;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<ServiceProcess> StartAsync(params (string Key, string Value)[] environment)
    {
        string dll = WalkthroughTests.ServiceDll();
        File.Exists(dll).Should().BeTrue($"{dll} is missing: build src/BadgeIssuer.Api in this configuration first.");
        int port = WalkthroughTests.FreePort();
        string baseUrl = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
        DirectoryInfo data = Directory.CreateTempSubdirectory("badgeissuer-corpus-data-");
        var log = new StringBuilder();
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = baseUrl,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["BadgeIssuer__DataDirectory"] = data.FullName,
        };
        foreach ((string key, string value) in environment)
        {
            variables[key] = value;
        }

        System.Diagnostics.Process process = WalkthroughTests.Start("dotnet", [dll], data.FullName, log, variables);
        var service = new ServiceProcess(process, log, data, baseUrl);
        try
        {
            await WalkthroughTests.WaitUntilReadyAsync(process, baseUrl, log);
        }
        catch
        {
            service.Dispose();
            throw;
        }

        return service;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        try
        {
            _data.Delete(recursive: true);
        }
        catch (IOException)
        {
            // The temp directory is cleaned eventually.
        }
        catch (UnauthorizedAccessException)
        {
            // bootstrap.json is owner-only; leave it to the OS if it resists.
        }
    }
}
