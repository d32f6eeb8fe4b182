using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace BadgeIssuer.Api.Tests.Interop;

/// <summary>
/// Posts a credential to <c>POST /credentials/verify</c> of an in-memory service and reads the report.
/// <para>
/// Written to survive the report-shape change under way (warnings/errors/display summary, 422 for unverified): it
/// reads only <c>verified</c> and <c>checks[].name/status/message</c>, and accepts 200 or 422 for a credential
/// that does not verify — the body's <c>verified</c> flag is the verdict, not the status code.
/// </para>
/// </summary>
public static class VerifyEndpoint
{
    public const string Path = "/credentials/verify";

    /// <summary>Posts <paramref name="body"/> as <paramref name="mediaType"/> and returns the report.</summary>
    public static async Task<VerifyReport> PostAsync(BadgeIssuerApplication app, byte[] body, string mediaType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        using HttpClient client = app.CreateClient();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using HttpResponseMessage response = await client.PostAsync(Path, content, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity).Should().BeTrue($"POST {Path} ({mediaType}) answered {(int)response.StatusCode}: {text}");
        VerifyReport report = VerifyReport.Parse(text);

        // 200 only for a verified credential; an unverified one may still be 200 (today) or 422 (VC-API).
        if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            report.Verified.Should().BeFalse("422 with verified: true\n" + text);
        }

        return report;
    }

    /// <summary>Posts a credential as the raw media type its format calls for: <c>application/vc+ld+json</c> or <c>application/vc+jwt</c>.</summary>
    public static Task<VerifyReport> PostCredentialAsync(BadgeIssuerApplication app, string credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        string trimmed = credential.Trim();
        return PostAsync(app, Encoding.UTF8.GetBytes(trimmed), trimmed.StartsWith('{') ? "application/vc+ld+json" : "application/vc+jwt", cancellationToken);
    }
}

/// <summary>The parts of the verification report these tests rely on.</summary>
public sealed class VerifyReport
{
    public required bool Verified { get; init; }

    public required IReadOnlyList<VerifyCheck> Checks { get; init; }

    /// <summary>The whole body, for assertion messages.</summary>
    public required string Json { get; init; }

    /// <summary>The proof checks: <c>proof</c>, or <c>proof[i]</c> when there are several proofs.</summary>
    public IEnumerable<VerifyCheck> ProofChecks => Checks.Where(c => c.Name == "proof" || c.Name.StartsWith("proof[", StringComparison.Ordinal));

    public IEnumerable<VerifyCheck> Named(string name) => Checks.Where(c => c.Name == name);

    /// <summary>At least one proof check passed (OB: any one valid proof suffices).</summary>
    public bool AnyProofPassed => ProofChecks.Any(c => c.Status == "passed");

    public override string ToString() => Json;

    internal static VerifyReport Parse(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        var checks = new List<VerifyCheck>();
        foreach (JsonElement c in root.GetProperty("checks").EnumerateArray())
        {
            checks.Add(new VerifyCheck(
                c.GetProperty("name").GetString()!,
                c.GetProperty("status").GetString()!,
                c.TryGetProperty("message", out JsonElement message) ? message.GetString() ?? "" : ""));
        }

        return new VerifyReport { Verified = root.GetProperty("verified").GetBoolean(), Checks = checks, Json = json };
    }
}

/// <summary>One step of the report: <c>name</c>, <c>status</c> (passed, failed, warning, skipped), <c>message</c>.</summary>
public sealed record VerifyCheck(string Name, string Status, string Message);
