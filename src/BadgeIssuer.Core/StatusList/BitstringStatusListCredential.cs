// W3C Bitstring Status List v1.0 §2.2 BitstringStatusListCredential (SL-3), and the VCDM 1.1
// predecessor StatusList2021Credential (SL-9), which is read but never written. The JSON written here
// is the unsigned credential; securing it (Data Integrity or VC-JWT) is the caller's next step.
using System.Buffers;
using System.Text.Json;

namespace BadgeIssuer.Core.StatusList;

/// <summary>A <c>BitstringStatusListCredential</c> (unsigned view): the list plus its VC envelope.</summary>
public sealed class BitstringStatusListCredential
{
    public const string CredentialType = "BitstringStatusListCredential";
    public const string LegacyCredentialType = "StatusList2021Credential";
    public const string SubjectType = "BitstringStatusList";
    public const string LegacySubjectType = "StatusList2021";
    public const string LegacyStatusListContext = "https://w3id.org/vc/status-list/2021/v1";

    private BitstringStatusList? _decoded;

    public BitstringStatusListCredential(string id, string issuer, IReadOnlyList<string> statusPurpose, string encodedList)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        ArgumentNullException.ThrowIfNull(statusPurpose);
        ArgumentOutOfRangeException.ThrowIfZero(statusPurpose.Count, nameof(statusPurpose));
        ArgumentException.ThrowIfNullOrEmpty(encodedList);
        Id = id;
        Issuer = issuer;
        StatusPurpose = statusPurpose;
        EncodedList = encodedList;
    }

    /// <summary>
    /// Builds the credential for <paramref name="list"/>. Times are explicit: callers pass
    /// <c>TimeProvider.GetUtcNow()</c>, never ambient time.
    /// </summary>
    public static BitstringStatusListCredential Create(
        string id,
        string issuer,
        StatusPurpose statusPurpose,
        BitstringStatusList list,
        DateTimeOffset validFrom,
        DateTimeOffset? validUntil = null)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (validUntil is DateTimeOffset until && until < validFrom)
        {
            throw new ArgumentOutOfRangeException(nameof(validUntil), "validUntil precedes validFrom.");
        }

        return new BitstringStatusListCredential(id, issuer, [statusPurpose.ToSpecString()], list.Encode())
        {
            ValidFrom = validFrom,
            ValidUntil = validUntil,
            StatusSize = list.StatusSize == 1 ? null : list.StatusSize,
        };
    }

    /// <summary>The credential id; SHOULD equal the entries' <c>statusListCredential</c>.</summary>
    public string Id { get; }

    /// <summary>The issuer id (read from a string or from <c>issuer.id</c>).</summary>
    public string Issuer { get; }

    /// <summary><c>credentialSubject.id</c>; null means <see cref="Id"/> + "#list".</summary>
    public string? SubjectId { get; init; }

    /// <summary>The credential <c>type</c> that identified it: current or legacy.</summary>
    public string Type { get; init; } = CredentialType;

    /// <summary>One or more purposes; written as a string when there is one.</summary>
    public IReadOnlyList<string> StatusPurpose { get; }

    /// <summary>The multibase <c>encodedList</c>.</summary>
    public string EncodedList { get; }

    public DateTimeOffset? ValidFrom { get; init; }

    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>Cache hint in milliseconds (§2.2 <c>ttl</c>).</summary>
    public long? Ttl { get; init; }

    /// <summary>Bits per status when greater than 1.</summary>
    public int? StatusSize { get; init; }

    public IReadOnlyList<StatusMessage>? StatusMessage { get; init; }

    public IReadOnlyList<string>? StatusReference { get; init; }

    public bool IsLegacy => string.Equals(Type, LegacyCredentialType, StringComparison.Ordinal);

    /// <summary>The subject id written: <see cref="SubjectId"/> or <see cref="Id"/> + "#list".</summary>
    public string EffectiveSubjectId => SubjectId ?? Id + "#list";

    /// <summary>Decodes <see cref="EncodedList"/> (once) with the credential's statusSize.</summary>
    public BitstringStatusList DecodeList() => _decoded ??= BitstringStatusList.Decode(EncodedList, StatusSize ?? 1);

    /// <summary>
    /// SL-7 steps after the proof check: the entry's purpose must be one of the list's, its statusSize must
    /// match, the index must be in range; returns the status value (0 = not revoked/suspended).
    /// </summary>
    /// <exception cref="StatusListException">STATUS_VERIFICATION_ERROR, RANGE_ERROR, STATUS_LIST_LENGTH_ERROR or MALFORMED_VALUE_ERROR.</exception>
    public uint GetStatus(BitstringStatusListEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!StatusPurpose.Contains(entry.StatusPurpose, StringComparer.Ordinal))
        {
            throw new StatusListException(StatusListErrorCode.StatusVerificationError, $"The list has no statusPurpose '{entry.StatusPurpose}'.");
        }

        int listSize = StatusSize ?? 1;
        if (entry.EffectiveStatusSize != listSize)
        {
            throw new StatusListException(StatusListErrorCode.StatusVerificationError, $"The entry's statusSize {entry.EffectiveStatusSize} differs from the list's {listSize}.");
        }

        return DecodeList().GetStatus(entry.StatusListIndex);
    }

    /// <summary>Writes the unsigned credential as a JSON object.</summary>
    /// <exception cref="NotSupportedException">The credential is a legacy StatusList2021Credential.</exception>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (IsLegacy)
        {
            throw new NotSupportedException("StatusList2021Credential is read for old credentials only; issue BitstringStatusListCredential.");
        }

        writer.WriteStartObject();
        writer.WriteStartArray("@context"u8);
        writer.WriteStringValue(Model.ContextUrls.CredentialsV2);
        writer.WriteEndArray();
        writer.WriteString("id"u8, Id);
        writer.WriteStartArray("type"u8);
        writer.WriteStringValue("VerifiableCredential"u8);
        writer.WriteStringValue(CredentialType);
        writer.WriteEndArray();
        writer.WriteString("issuer"u8, Issuer);
        if (ValidFrom is DateTimeOffset from)
        {
            writer.WriteString("validFrom"u8, StatusListJson.FormatDateTime(from));
        }

        if (ValidUntil is DateTimeOffset until)
        {
            writer.WriteString("validUntil"u8, StatusListJson.FormatDateTime(until));
        }

        writer.WriteStartObject("credentialSubject"u8);
        writer.WriteString("id"u8, EffectiveSubjectId);
        writer.WriteString("type"u8, SubjectType);
        if (StatusPurpose.Count == 1)
        {
            writer.WriteString("statusPurpose"u8, StatusPurpose[0]);
        }
        else
        {
            writer.WriteStartArray("statusPurpose"u8);
            foreach (string purpose in StatusPurpose)
            {
                writer.WriteStringValue(purpose);
            }

            writer.WriteEndArray();
        }

        writer.WriteString("encodedList"u8, EncodedList);
        if (Ttl is long ttl)
        {
            writer.WriteNumber("ttl"u8, ttl);
        }

        if (StatusSize is int size && size > 1)
        {
            writer.WriteNumber("statusSize"u8, size);
        }

        StatusListJson.WriteMessagesAndReferences(writer, StatusMessage, StatusReference);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The unsigned credential as UTF-8 JSON (compact).</summary>
    public byte[] ToUtf8Json()
    {
        var buffer = new ArrayBufferWriter<byte>(512 + EncodedList.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a BitstringStatusListCredential or StatusList2021Credential (proofs are not checked here).</summary>
    /// <exception cref="StatusListException"><see cref="StatusListErrorCode.MalformedValueError"/> for a wrong type or a missing field.</exception>
    public static BitstringStatusListCredential Parse(JsonElement credential)
    {
        if (credential.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("A status list credential must be a JSON object.");
        }

        string type = StatusListJson.ReadType(credential, CredentialType, LegacyCredentialType)
            ?? throw Malformed($"type includes neither {CredentialType} nor {LegacyCredentialType}.");
        bool legacy = string.Equals(type, LegacyCredentialType, StringComparison.Ordinal);
        string id = StatusListJson.RequiredString(credential, "id");
        string issuer = ReadIssuer(credential);

        if (!credential.TryGetProperty("credentialSubject"u8, out JsonElement subject) || subject.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("credentialSubject must be an object.");
        }

        if (StatusListJson.ReadType(subject, SubjectType, LegacySubjectType) is null)
        {
            throw Malformed($"credentialSubject type must be {SubjectType}.");
        }

        IReadOnlyList<string> purposes = StatusListJson.OptionalStrings(subject, "statusPurpose")
            ?? throw Malformed("credentialSubject.statusPurpose is missing.");
        if (purposes.Count == 0)
        {
            throw Malformed("credentialSubject.statusPurpose is empty.");
        }

        long? ttl = null;
        if (subject.TryGetProperty("ttl"u8, out JsonElement ttlValue))
        {
            ttl = ttlValue.ValueKind == JsonValueKind.Number && ttlValue.TryGetInt64(out long t) && t >= 0
                ? t
                : throw Malformed("ttl must be a non-negative number of milliseconds.");
        }

        return new BitstringStatusListCredential(id, issuer, purposes, StatusListJson.RequiredString(subject, "encodedList"))
        {
            Type = type,
            SubjectId = StatusListJson.OptionalString(subject, "id"),
            ValidFrom = StatusListJson.OptionalDateTime(credential, legacy ? "issuanceDate" : "validFrom")
                ?? StatusListJson.OptionalDateTime(credential, "validFrom"),
            ValidUntil = StatusListJson.OptionalDateTime(credential, legacy ? "expirationDate" : "validUntil")
                ?? StatusListJson.OptionalDateTime(credential, "validUntil"),
            Ttl = ttl,
            StatusSize = StatusListJson.OptionalStatusSize(subject),
            StatusMessage = StatusListJson.OptionalMessages(subject),
            StatusReference = StatusListJson.OptionalStrings(subject, "statusReference"),
        };
    }

    private static string ReadIssuer(JsonElement credential)
    {
        if (credential.TryGetProperty("issuer"u8, out JsonElement issuer))
        {
            if (issuer.ValueKind == JsonValueKind.String && issuer.GetString() is { Length: > 0 } text)
            {
                return text;
            }

            if (issuer.ValueKind == JsonValueKind.Object)
            {
                return StatusListJson.RequiredString(issuer, "id");
            }
        }

        throw Malformed("issuer must be a URL string or an object with an id.");
    }

    private static StatusListException Malformed(string message) => new(StatusListErrorCode.MalformedValueError, message);
}
