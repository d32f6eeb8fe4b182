using System.Text;
using System.Text.Json;

namespace BadgeIssuer.Storage;

/// <summary>The audit entries of a cascading key revocation, the same for every backend.</summary>
internal static class KeyRevocations
{
    /// <summary>The action of the entry for each key revoked because a key that created it (directly or not) was.</summary>
    public const string CascadeAction = "apikey.revoke.cascade";

    /// <summary>The entries: one for the revoked key (naming the keys its revocation took with it), one per cascaded key.</summary>
    public static IEnumerable<AuditRecord> Entries(string keyId, string? issuerId, IReadOnlyList<ApiKeyRecord> cascaded, DateTimeOffset at, KeyRevocationAudit audit)
    {
        yield return new AuditRecord(0, issuerId, audit.Actor, audit.Action, keyId, at, audit.RequestId, cascaded.Count == 0 ? null : Json(writer =>
        {
            writer.WriteStartArray("cascade");
            foreach (ApiKeyRecord key in cascaded)
            {
                writer.WriteStringValue(key.KeyId);
            }

            writer.WriteEndArray();
        }));
        foreach (ApiKeyRecord key in cascaded)
        {
            yield return new AuditRecord(0, key.IssuerId, audit.Actor, CascadeAction, key.KeyId, at, audit.RequestId, Json(writer =>
            {
                writer.WriteString("revoked", keyId);
                writer.WriteString("createdBy", key.CreatedBy);
            }));
        }
    }

    /// <summary>Oldest first, as listings are.</summary>
    public static IReadOnlyList<ApiKeyRecord> Ordered(IEnumerable<ApiKeyRecord> keys) =>
        keys.OrderBy(k => k.CreatedAt).ThenBy(k => k.KeyId, StringComparer.Ordinal).ToList();

    private static string Json(Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
