using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace BadgeIssuer.Api.Tests.Support;

/// <summary>Stands in for the network: answers by URL and records every request (no request leaves the process).</summary>
public sealed class FakeRemoteHandler : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, Func<CancellationToken, Task<HttpResponseMessage>>> _routes = new(StringComparer.Ordinal);

    public ConcurrentQueue<Uri> Requests { get; } = new();

    public FakeRemoteHandler Json(string url, string json) => Json(url, Encoding.UTF8.GetBytes(json));

    public FakeRemoteHandler Json(string url, byte[] json)
    {
        _routes[url] = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(json) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } } });
        return this;
    }

    /// <summary>Answers <paramref name="url"/> with <paramref name="body"/> served as <paramref name="mediaType"/>.</summary>
    public FakeRemoteHandler Content(string url, byte[] body, string mediaType)
    {
        _routes[url] = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue(mediaType) } } });
        return this;
    }

    public FakeRemoteHandler Redirect(string url, string location)
    {
        _routes[url] = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.Found) { Headers = { Location = new Uri(location) } });
        return this;
    }

    /// <summary>Never answers; gives up only when the caller cancels.</summary>
    public FakeRemoteHandler Hang(string url)
    {
        _routes[url] = async cancellationToken =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        };
        return this;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request.RequestUri!);
        return _routes.TryGetValue(request.RequestUri!.AbsoluteUri, out Func<CancellationToken, Task<HttpResponseMessage>>? route)
            ? route(cancellationToken)
            : Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
    }
}

/// <summary>Assertions shared by the verification endpoint tests.</summary>
internal static class VerifyAssert
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static ByteArrayContent Body(string body, string mediaType) => Body(Encoding.UTF8.GetBytes(body), mediaType);

    public static ByteArrayContent Body(byte[] body, string mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        return content;
    }

    /// <summary>A report (200 or 422 — the credential endpoint's status for a failed credential is not this test's concern).</summary>
    public static async Task<JsonNode> ReportAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity).Should().BeTrue($"{(int)response.StatusCode}: {text}");
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/json");
        return JsonNode.Parse(text)!;
    }

    public static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        string text = await response.Content.ReadAsStringAsync(Ct);
        (status == response.StatusCode).Should().BeTrue($"{(int)response.StatusCode}: {text}");
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
        JsonNode problem = JsonNode.Parse(text)!;
        ((string)problem["type"]!).Should().Be("urn:badgeissuer:problem:" + code);
        ((string)problem["code"]!).Should().Be(code);
        return problem;
    }

    /// <summary>The status of the check named <paramref name="name"/> (the first one with that name).</summary>
    public static string Check(JsonNode report, string name) =>
        (string)report["checks"]!.AsArray().First(c => (string)c!["name"]! == name)!["status"]!;

    public static string Message(JsonNode report, string name) =>
        (string)report["checks"]!.AsArray().First(c => (string)c!["name"]! == name)!["message"]!;
}
