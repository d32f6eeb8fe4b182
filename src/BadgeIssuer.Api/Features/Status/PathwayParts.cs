using System.Globalization;
using System.Text;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;

namespace BadgeIssuer.Api.Features.Status;

/// <summary>
/// Revoking or suspending a credential that counted toward composite credentials (pathways) leaves the composites as they
/// are: whether a certificate stands when one of its parts is withdrawn is the issuer's call. The change's answer says so
/// (each composite, how many of its parts are still valid, and a sentence), and an audit entry
/// <c>pathway.part-invalidated</c> per composite records it.
/// </summary>
internal static class PathwayParts
{
    public const string AuditAction = "pathway.part-invalidated";

    /// <summary><paramref name="response"/> with the composites that counted its credential, when there are any.</summary>
    public static async Task<StatusChangeResponse> ReportAsync(
        StatusChangeResponse response, string issuerId, HttpContext context, IBadgeStorage storage, PublicUrls urls, CancellationToken cancellationToken)
    {
        IReadOnlyList<PathwayAwardRecord> awards = await storage.Credentials.ListPathwayAwardsCountingAsync(response.CredentialId, cancellationToken);
        if (awards.Count == 0)
        {
            return response;
        }

        DateTimeOffset now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var composites = new List<StatusComposite>(awards.Count);
        foreach (PathwayAwardRecord award in awards)
        {
            int valid = award.Parts.Count(p => p.IsValidAt(now));
            composites.Add(new StatusComposite(award.CredentialId, award.AchievementId, valid, award.Required, valid >= award.Required, award.CredentialId + "/pathway"));
        }

        if (response.Changed)
        {
            AuditLog audit = context.RequestServices.GetRequiredService<AuditLog>();
            foreach (StatusComposite composite in composites)
            {
                await audit.AppendAsync(context, issuerId, AuditAction, composite.CredentialId, AuditDetails(response, composite));
            }
        }

        return response with { Composites = composites, Notice = Notice(response.StatusPurpose, composites) };
    }

    /// <summary>The plain sentence of the answer.</summary>
    internal static string Notice(string purpose, IReadOnlyList<StatusComposite> composites)
    {
        string done = purpose == "revocation" ? "revoked" : "suspended";
        string doing = purpose == "revocation" ? "revoking" : "suspending";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"This credential counted toward {composites.Count} composite credential{(composites.Count == 1 ? string.Empty : "s")}, ")
            .Append(composites.Count == 1 ? "which stays valid: " : "which stay valid: ")
            .Append(CultureInfo.InvariantCulture, $"{doing} a part does not {(purpose == "revocation" ? "revoke" : "suspend")} what it counted toward. ");
        foreach (StatusComposite c in composites)
        {
            text.Append(CultureInfo.InvariantCulture, $"{c.CredentialId} has {c.ValidParts} valid part{(c.ValidParts == 1 ? string.Empty : "s")} of the {c.RequiredParts} its pathway requires")
                .Append(c.StillSatisfied ? " (still enough). " : " (no longer enough). ");
        }

        text.Append(CultureInfo.InvariantCulture, $"Revoke a composite on its own if it should not stand with this part {done}; its pathway status (GET <composite>/pathway) lists which parts are no longer valid.");
        return text.ToString();
    }

    private static string AuditDetails(StatusChangeResponse change, StatusComposite composite)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("part", change.CredentialId);
            w.WriteString("statusPurpose", change.StatusPurpose);
            w.WriteNumber("validParts", composite.ValidParts);
            w.WriteNumber("requiredParts", composite.RequiredParts);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
