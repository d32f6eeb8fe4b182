using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace BadgeIssuer.Api.Tests.Support;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, or <c>BADGEISSUER_CHROMIUM</c>), headless, driven over the Chrome
/// DevTools Protocol on a loopback WebSocket (System.Net.WebSockets; no browser-automation package). A visit reports
/// everything a page should never cause: console messages, uncaught exceptions, browser log errors (content security
/// policy violations among them), failed or blocked requests, error responses of subresources, the issues Chromium's
/// audits raise, and text whose contrast with its background is under WCAG AA's 4.5:1.
/// <para>
/// A machine without Chromium fails the test that asks for it, with the command that installs it (<c>.ci/run</c>
/// installs it): browser tests never skip silently.
/// </para>
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string ExecutableVariable = "BADGEISSUER_CHROMIUM";

    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly string _profileDirectory;
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Dictionary<int, TaskCompletionSource<JsonNode>> _pending = [];
    private readonly List<JsonNode> _events = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly StringBuilder _output = new();
    private Task? _receiveLoop;
    private int _nextId;
    private string? _sessionId;

    private HeadlessChromium(Process process, string profileDirectory)
    {
        _process = process;
        _profileDirectory = profileDirectory;
    }

    /// <summary>The Chromium binary: <c>BADGEISSUER_CHROMIUM</c>, else Debian's <c>/usr/bin/chromium</c>, else <c>chromium</c> on the PATH; null when none exists.</summary>
    public static string? FindExecutable()
    {
        if (Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        IEnumerable<string> candidates = ["/usr/bin/chromium", .. (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "chromium"))];
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>Starts Chromium and opens one page; fails the test (it does not skip) when Chromium is not installed.</summary>
    public static async Task<HeadlessChromium> StartAsync(CancellationToken cancellationToken)
    {
        string? executable = FindExecutable();
        if (executable is null)
        {
            Assert.Fail("Chromium is not installed, and the browser tests need it: install Debian's package "
                + "(`apt-get install -y chromium`, as .ci/run does when it is missing) or set "
                + ExecutableVariable + " to a Chromium binary.");
        }

        string profile = Directory.CreateTempSubdirectory("badgeissuer-chromium-").FullName;
        var start = new ProcessStartInfo(executable!)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])[
            "--headless", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1", "--user-data-dir=" + profile,
            "--no-first-run", "--no-default-browser-check", "--disable-gpu", "--disable-extensions", "--disable-default-apps",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-domain-reliability",
            "--disable-client-side-phishing-detection", "--no-pings", "--mute-audio", "--hide-scrollbars", "--disable-dev-shm-usage",
            "--force-color-profile=srgb", "--lang=en-US", "--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication",
            .. Environment.IsPrivilegedProcess ? (string[])["--no-sandbox"] : [], // Chromium's sandbox refuses to run as root
            "about:blank",
        ])
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var chromium = new HeadlessChromium(process, profile);
        var endpoint = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (chromium._output)
            {
                chromium._output.Append(line).Append('\n');
            }

            const string Listening = "DevTools listening on ";
            int at = line.IndexOf(Listening, StringComparison.Ordinal);
            if (at >= 0)
            {
                endpoint.TrySetResult(line[(at + Listening.Length)..].Trim());
            }
        }

        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => endpoint.TrySetException(new InvalidOperationException("Chromium exited before it listened:\n" + chromium.Output));
        process.EnableRaisingEvents = true;
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        try
        {
            string url = await endpoint.Task.WaitAsync(s_commandTimeout, cancellationToken);
            await chromium._socket.ConnectAsync(new Uri(url), cancellationToken);
            chromium._receiveLoop = Task.Run(chromium.ReceiveLoopAsync, CancellationToken.None);

            string targetId = (string)(await chromium.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, session: false, cancellationToken))["targetId"]!;
            chromium._sessionId = (string)(await chromium.SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = targetId, ["flatten"] = true }, session: false, cancellationToken))["sessionId"]!;
            foreach (string domain in (string[])["Page", "Runtime", "Log", "Network", "Audits"])
            {
                await chromium.SendAsync(domain + ".enable", null, session: true, cancellationToken);
            }

            // A violation of the page's policy also reaches the console from the document itself (scripts added through
            // the protocol are the browser's own and run whatever the page's policy says).
            await chromium.SendAsync("Page.addScriptToEvaluateOnNewDocument", new JsonObject
            {
                ["source"] = "document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));",
            }, session: true, cancellationToken);
            return chromium;
        }
        catch
        {
            await chromium.DisposeAsync();
            throw;
        }
    }

    /// <summary>Everything Chromium wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Loads <paramref name="url"/> in a <paramref name="width"/>-pixel-wide window, waits for the load event and for
    /// every request to end, measures text contrast, and returns what went wrong and a full-page screenshot.
    /// </summary>
    public async Task<PageVisit> VisitAsync(string url, int width, CancellationToken cancellationToken)
    {
        int first;
        lock (_events)
        {
            first = _events.Count;
        }

        await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = 800, ["deviceScaleFactor"] = 1, ["mobile"] = false }, session: true, cancellationToken);
        JsonNode navigation = await SendAsync("Page.navigate", new JsonObject { ["url"] = url }, session: true, cancellationToken);
        if (navigation["errorText"] is JsonNode error)
        {
            Assert.Fail($"Chromium could not load {url}: {error}");
        }

        await WaitForAsync(first, events => events.Any(e => Is(e, "Page.loadEventFired")), "the load event of " + url, cancellationToken);
        await WaitForAsync(first, events => PendingRequests(events) == 0, "every request of " + url + " to end", cancellationToken);

        // Text contrast (WCAG 2 AA, 4.5:1 for all text), measured on the rendered page.
        JsonNode? lowContrast = await EvaluateAsync(ContrastScript, cancellationToken);

        JsonNode metrics = await SendAsync("Page.getLayoutMetrics", null, session: true, cancellationToken);
        int height = (int)Math.Ceiling((double)metrics["cssContentSize"]!["height"]!);
        await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = Math.Clamp(height, 200, 4000), ["deviceScaleFactor"] = 1, ["mobile"] = false }, session: true, cancellationToken);
        JsonNode shot = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" }, session: true, cancellationToken);

        JsonNode[] events;
        lock (_events)
        {
            events = [.. _events.Skip(first)];
        }

        List<string> problems = Problems(events);
        problems.AddRange(lowContrast!.AsArray().Select(text => "low contrast: " + text));
        return new PageVisit(url, problems, DocumentStatus(events), Convert.FromBase64String((string)shot["data"]!));
    }

    /// <summary>The value of a JavaScript expression in the page (the protocol's evaluation, not the page's scripts).</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression, CancellationToken cancellationToken)
    {
        JsonNode result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }, session: true, cancellationToken);
        if (result["exceptionDetails"] is JsonNode exception)
        {
            Assert.Fail($"evaluating {expression} threw: {exception.ToJsonString()}");
        }

        return result["result"]!["value"];
    }

    // Every element with its own text: its colour against the first opaque background behind it (ancestors'), by the
    // WCAG 2 relative luminance formula; the ones under 4.5:1, with their text and ratio.
    private const string ContrastScript = """
        (() => {
          const parse = c => { const m = /rgba?\(([^)]+)\)/.exec(c); if (!m) return null; const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
          const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
          const luminance = c => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
          const background = e => { for (let n = e; n; n = n.parentElement) { const c = parse(getComputedStyle(n).backgroundColor); if (c && c.a > 0) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
          const low = [];
          for (const e of document.body ? document.body.querySelectorAll('*') : []) {
            if (![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
            const style = getComputedStyle(e);
            if (style.display === 'none' || style.visibility === 'hidden') continue;
            const fg = parse(style.color); if (!fg) { low.push(e.tagName + ': unreadable colour ' + style.color); continue; }
            const a = luminance(fg), b = luminance(background(e));
            const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            if (ratio < 4.5) low.push(e.tagName.toLowerCase() + ' "' + e.textContent.trim().slice(0, 40) + '" ' + ratio.toFixed(2) + ':1');
          }
          return low;
        })()
        """;

    private static bool Is(JsonNode e, string method) => (string?)e["method"] == method;

    private static int PendingRequests(IEnumerable<JsonNode> events)
    {
        var pending = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonNode e in events)
        {
            string? id = (string?)e["params"]?["requestId"];
            if (id is null)
            {
                continue;
            }

            if (Is(e, "Network.requestWillBeSent"))
            {
                pending.Add(id);
            }
            else if (Is(e, "Network.loadingFinished") || Is(e, "Network.loadingFailed"))
            {
                pending.Remove(id);
            }
        }

        return pending.Count;
    }

    private static int? DocumentStatus(IEnumerable<JsonNode> events)
        => events.Where(e => Is(e, "Network.responseReceived") && (string?)e["params"]!["type"] == "Document")
            .Select(e => (int?)(double)e["params"]!["response"]!["status"]!)
            .LastOrDefault();

    private static List<string> Problems(IEnumerable<JsonNode> events)
    {
        var problems = new List<string>();
        foreach (JsonNode e in events)
        {
            JsonNode? p = e["params"];
            switch ((string?)e["method"])
            {
                case "Runtime.consoleAPICalled":
                    problems.Add($"console.{p!["type"]}: " + string.Join(" ", p["args"]!.AsArray().Select(a => a?["value"]?.ToString() ?? a?["description"]?.ToString())));
                    break;
                case "Runtime.exceptionThrown":
                    problems.Add("exception: " + p!["exceptionDetails"]!.ToJsonString());
                    break;
                case "Log.entryAdded" when (string?)p!["entry"]!["level"] is "error" or "warning":
                    problems.Add($"log {p["entry"]!["level"]} ({p["entry"]!["source"]}): {p["entry"]!["text"]} {p["entry"]!["url"]}");
                    break;
                case "Network.loadingFailed":
                    problems.Add($"request failed: {p!["errorText"]} {p["blockedReason"]} {p["corsErrorStatus"]?.ToJsonString()} ({p["type"]})");
                    break;
                case "Network.responseReceived" when (string?)p!["type"] != "Document" && (double)p["response"]!["status"]! >= 400:
                    problems.Add($"response {p["response"]!["status"]} for {p["response"]!["url"]}");
                    break;
                case "Audits.issueAdded":
                    problems.Add($"issue {p!["issue"]!["code"]}: {p["issue"]!["details"]!.ToJsonString()}");
                    break;
                default:
                    break;
            }
        }

        return problems;
    }

    private async Task WaitForAsync(int first, Func<JsonNode[], bool> condition, string what, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            JsonNode[] events;
            lock (_events)
            {
                events = [.. _events.Skip(first)];
            }

            if (condition(events))
            {
                return;
            }

            (clock.Elapsed < s_commandTimeout).Should().BeTrue($"Chromium did not report {what} within {s_commandTimeout.TotalSeconds} s:\n{Output}");
            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject? parameters, bool session, CancellationToken cancellationToken)
    {
        int id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        if (session)
        {
            message["sessionId"] = _sessionId;
        }

        var reply = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_pending)
        {
            _pending[id] = reply;
        }

        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }

        JsonNode answer;
        try
        {
            answer = await reply.Task.WaitAsync(s_commandTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Chromium did not answer {method} within {s_commandTimeout.TotalSeconds} s:\n{Output}");
        }

        if (answer["error"] is JsonNode error)
        {
            throw new InvalidOperationException($"Chromium refused {method}: {error.ToJsonString()}");
        }

        return answer["result"] ?? new JsonObject();
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                WebSocketReceiveResult received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                JsonNode node = JsonNode.Parse(message.GetBuffer().AsSpan(0, (int)message.Length))!;
                message.SetLength(0);
                if (node["id"] is JsonNode idNode)
                {
                    int id = (int)idNode;
                    TaskCompletionSource<JsonNode>? reply;
                    lock (_pending)
                    {
                        _pending.Remove(id, out reply);
                    }

                    reply?.TrySetResult(node);
                }
                else
                {
                    lock (_events)
                    {
                        _events.Add(node);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // Closing down, or Chromium went away: pending commands fail below.
        }

        lock (_pending)
        {
            foreach (TaskCompletionSource<JsonNode> reply in _pending.Values)
            {
                reply.TrySetException(new InvalidOperationException("Chromium closed the DevTools connection:\n" + Output));
            }

            _pending.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await SendAsync("Browser.close", null, session: false, bounded.Token);
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or TimeoutException or WebSocketException)
            {
                // Killed below.
            }
        }

        await _stop.CancelAsync();
        if (_receiveLoop is not null)
        {
            await _receiveLoop;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync(CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
        _socket.Dispose();
        _sendLock.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_profileDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file Chromium still held; the temp directory is cleaned eventually.
        }
    }
}

/// <summary>What a visit found: every problem (see <see cref="HeadlessChromium"/>), the document's status, and a full-page PNG.</summary>
internal sealed record PageVisit(string Url, IReadOnlyList<string> Problems, int? DocumentStatus, byte[] Screenshot)
{
    /// <summary>The problems, one per line, for assertion messages.</summary>
    public string Describe() => Problems.Count == 0
        ? "none"
        : string.Join(Environment.NewLine, Problems.Select((p, i) => (i + 1).ToString(CultureInfo.InvariantCulture) + ". " + p));
}
