using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BadgeIssuer.Api.Tests.Interop;

namespace BadgeIssuer.Api.Tests.Samples;

/// <summary>
/// Every request in <c>samples/*.http</c> (REST Client format) runs, in order, against the in-memory service with
/// <c>@baseUrl</c> and <c>@apiKey</c> replaced: file variables, <c>{{$guid}}</c>, request variables
/// (<c>{{name.response.body.$.path}}</c>, <c>{{name.response.headers.Name}}</c>) and <c>&lt; file</c> bodies are
/// resolved as REST Client does. Each request must reach an endpoint (no 404/405 from routing) and not fail (no 5xx).
/// </summary>
public sealed partial class HttpSamplesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string SamplesDirectory => Path.Combine(NodeInterop.RepoRoot, "samples");

    public static TheoryData<string> HttpFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(SamplesDirectory, "*.http").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void SamplesDirectory_HasHttpFileForEveryArea()
    {
        string[] files = Directory.GetFiles(SamplesDirectory, "*.http").Select(Path.GetFileName).ToArray()!;
        foreach (string expected in (string[])["issuers.http", "achievements.http", "awards.http", "issue.http", "status.http", "status-lists.http", "downloads.http", "verify.http"])
        {
            files.Should().Contain(expected);
        }
    }

    [Theory]
    [MemberData(nameof(HttpFiles))]
    public async Task HttpSample_EveryRequest_ReachesAnEndpointWithoutServerError(string file)
    {
        string path = Path.Combine(SamplesDirectory, file);
        HttpFile parsed = HttpFile.Parse(await File.ReadAllTextAsync(path, Ct));
        parsed.Requests.Should().NotBeEmpty();
        parsed.Variables.ContainsKey("baseUrl").Should().BeTrue($"{file} declares no @baseUrl");

        // A file that registers webhooks names its target @webhookUrl: here webhooks are on and the target is a loopback
        // address (allowed by the test-only setting; nothing listens, so deliveries only retry).
        bool webhooks = parsed.Variables.ContainsKey("webhookUrl");
        using var app = webhooks
            ? new BadgeIssuerApplication(("BadgeIssuer:Webhooks:Enabled", "true"), ("BadgeIssuer:Webhooks:AllowLoopback", "true"))
            : new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        var variables = new Dictionary<string, string>(parsed.Variables, StringComparer.Ordinal)
        {
            ["baseUrl"] = BadgeIssuerApplication.BaseUrl,
        };
        if (webhooks)
        {
            variables["webhookUrl"] = "http://127.0.0.1:9/hooks/badges";
        }
        if (variables.ContainsKey("apiKey"))
        {
            variables["apiKey"] = BadgeIssuerApplication.ApiKey;
        }

        var responses = new Dictionary<string, (HttpResponseMessage Response, string Body)>(StringComparer.Ordinal);
        try
        {
            foreach (HttpSampleRequest sample in parsed.Requests)
            {
                string label = $"{file} line {sample.Line.ToString(CultureInfo.InvariantCulture)}";
                string Resolve(string text) => Substitute(text, variables, responses, label);

                using var request = new HttpRequestMessage(new HttpMethod(sample.Method), Resolve(sample.Url));
                byte[]? body = null;
                if (sample.BodyFile is { } bodyFile)
                {
                    body = await File.ReadAllBytesAsync(Path.GetFullPath(Path.Combine(SamplesDirectory, bodyFile)), Ct);
                }
                else if (sample.Body.Length > 0)
                {
                    body = Encoding.UTF8.GetBytes(Resolve(sample.Body));
                }

                if (body is not null)
                {
                    request.Content = new ByteArrayContent(body);
                }

                foreach ((string name, string rawValue) in sample.Headers)
                {
                    string value = Resolve(rawValue);
                    if (string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase)
                        && value.StartsWith("Basic ", StringComparison.Ordinal) && value.Contains(':', StringComparison.Ordinal))
                    {
                        // As the REST Client and JetBrains HTTP Client do: "Basic user:password" is sent base64-encoded.
                        value = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(value[6..]));
                    }

                    if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
                    {
                        request.Content ??= new ByteArrayContent([]);
                        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(value);
                    }
                    else
                    {
                        request.Headers.TryAddWithoutValidation(name, value).Should().BeTrue($"{label}: header {name}");
                    }
                }

                HttpResponseMessage response = await client.SendAsync(request, Ct);
                string text = await response.Content.ReadAsStringAsync(Ct);
                int status = (int)response.StatusCode;
                (status < 500).Should().BeTrue($"{label}: {sample.Method} {request.RequestUri} answered {status}: {text}");
                (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed).Should().BeFalse($"{label}: {sample.Method} {request.RequestUri} answered {status} (no such endpoint or resource): {text}");
                if (sample.Name is { } name2)
                {
                    responses[name2] = (response, text);
                }
                else
                {
                    response.Dispose();
                }
            }
        }
        finally
        {
            foreach ((HttpResponseMessage response, _) in responses.Values)
            {
                response.Dispose();
            }
        }
    }

    private static string Substitute(string text, Dictionary<string, string> variables, Dictionary<string, (HttpResponseMessage Response, string Body)> responses, string label, int depth = 0)
    {
        (depth < 10).Should().BeTrue($"{label}: variables refer to each other in a loop");
        return VariablePattern().Replace(text, match =>
        {
            string name = match.Groups[1].Value.Trim();
            if (string.Equals(name, "$guid", StringComparison.Ordinal))
            {
                return Guid.NewGuid().ToString();
            }

            if (variables.TryGetValue(name, out string? value))
            {
                return Substitute(value, variables, responses, label, depth + 1);
            }

            string[] parts = name.Split('.', 4);
            (parts.Length >= 4 && string.Equals(parts[1], "response", StringComparison.Ordinal)).Should().BeTrue($"{label}: unknown variable {{{{{name}}}}}");
            responses.TryGetValue(parts[0], out (HttpResponseMessage Response, string Body) named).Should().BeTrue($"{label}: no earlier request named '{parts[0]}'");
            named.Response.IsSuccessStatusCode.Should().BeTrue($"{label}: {{{{{name}}}}} refers to a failed request ({(int)named.Response.StatusCode}): {named.Body}");
            if (string.Equals(parts[2], "headers", StringComparison.Ordinal))
            {
                return named.Response.Headers.TryGetValues(parts[3], out IEnumerable<string>? values) || named.Response.Content.Headers.TryGetValues(parts[3], out values)
                    ? string.Join(", ", values)
                    : throw new InvalidOperationException($"{label}: response '{parts[0]}' has no header {parts[3]}");
            }

            (string.Equals(parts[2], "body", StringComparison.Ordinal) && parts[3].StartsWith('$')).Should().BeTrue($"{label}: only body JSONPath and headers are supported: {name}");
            using JsonDocument document = JsonDocument.Parse(named.Body);
            JsonElement element = document.RootElement;
            foreach (Match step in JsonPathStep().Matches(parts[3][1..]))
            {
                element = step.Groups[1].Success
                    ? element.TryGetProperty(step.Groups[1].Value, out JsonElement child) ? child : throw new InvalidOperationException($"{label}: {name}: no member {step.Groups[1].Value} in {named.Body}")
                    : element[int.Parse(step.Groups[2].Value, CultureInfo.InvariantCulture)];
            }

            return element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
        });
    }

    [GeneratedRegex(@"\{\{([^{}]+)\}\}")]
    private static partial Regex VariablePattern();

    [GeneratedRegex(@"\.([^.\[]+)|\[(\d+)\]")]
    private static partial Regex JsonPathStep();
}

/// <summary>One request of a REST Client <c>.http</c> file.</summary>
internal sealed record HttpSampleRequest(int Line, string? Name, string Method, string Url, IReadOnlyList<(string Name, string Value)> Headers, string Body, string? BodyFile);

/// <summary>A REST Client file: <c>@name = value</c> variables and <c>###</c>-separated requests.</summary>
internal sealed partial class HttpFile
{
    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    public List<HttpSampleRequest> Requests { get; } = [];

    public static HttpFile Parse(string text)
    {
        var file = new HttpFile();
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int i = 0;
        while (i < lines.Length)
        {
            // Before the request line: separators, comments, # @name, file variables, blank lines.
            string? name = null;
            while (i < lines.Length && RequestLine().Match(lines[i]) is { Success: false })
            {
                string line = lines[i].Trim();
                if (NameLine().Match(line) is { Success: true } n)
                {
                    name = n.Groups[1].Value;
                }
                else if (VariableLine().Match(line) is { Success: true } v)
                {
                    file.Variables[v.Groups[1].Value] = v.Groups[2].Value.Trim();
                }
                else if (line.StartsWith("###", StringComparison.Ordinal))
                {
                    name = null;
                }
                else if (line.Length > 0 && !line.StartsWith('#') && !line.StartsWith("//", StringComparison.Ordinal))
                {
                    throw new FormatException($"Line {(i + 1).ToString(CultureInfo.InvariantCulture)}: expected a request line, found '{line}'.");
                }

                i++;
            }

            if (i >= lines.Length)
            {
                break;
            }

            Match request = RequestLine().Match(lines[i]);
            int requestLine = i + 1;
            i++;
            var headers = new List<(string, string)>();
            while (i < lines.Length && lines[i].Trim().Length > 0 && !lines[i].StartsWith("###", StringComparison.Ordinal))
            {
                int colon = lines[i].IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    throw new FormatException($"Line {(i + 1).ToString(CultureInfo.InvariantCulture)}: expected a header, found '{lines[i]}'.");
                }

                headers.Add((lines[i][..colon].Trim(), lines[i][(colon + 1)..].Trim()));
                i++;
            }

            var body = new List<string>();
            while (i < lines.Length && !lines[i].StartsWith("###", StringComparison.Ordinal))
            {
                body.Add(lines[i]);
                i++;
            }

            string bodyText = string.Join('\n', body).Trim();
            string? bodyFile = bodyText.StartsWith("< ", StringComparison.Ordinal) && !bodyText.Contains('\n', StringComparison.Ordinal) ? bodyText[2..].Trim() : null;
            file.Requests.Add(new HttpSampleRequest(requestLine, name, request.Groups[1].Value, request.Groups[2].Value, headers, bodyFile is null ? bodyText : string.Empty, bodyFile));
        }

        return file;
    }

    [GeneratedRegex(@"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\S+)(\s+HTTP/[\d.]+)?\s*$")]
    private static partial Regex RequestLine();

    [GeneratedRegex(@"^(?:#|//)\s*@name\s+(\S+)\s*$")]
    private static partial Regex NameLine();

    [GeneratedRegex(@"^@([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")]
    private static partial Regex VariableLine();
}
