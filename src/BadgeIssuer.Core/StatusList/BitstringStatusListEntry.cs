// W3C Bitstring Status List v1.0 §2.1 BitstringStatusListEntry (SL-1), and the VCDM 1.1 predecessor
// StatusList2021Entry (SL-9, same fields and bit layout). Writing always emits statusListIndex as a
// base-10 string; reading also accepts a JSON number (T-8: a 1EdTech fixture does that) and an
// array of credentialStatus objects, skipping objects of other types (e.g. 1EdTechRevocationList).
using System.Globalization;
using System.Text.Json;

namespace BadgeIssuer.Core.StatusList;

/// <summary>One <c>credentialStatus</c> entry that points into a Bitstring Status List.</summary>
public sealed class BitstringStatusListEntry
{
    public const string EntryType = "BitstringStatusListEntry";

    /// <summary>The VCDM 1.1 predecessor's type (context <c>https://w3id.org/vc/status-list/2021/v1</c>).</summary>
    public const string LegacyEntryType = "StatusList2021Entry";

    /// <summary>Creates an entry; <paramref name="statusPurpose"/> is usually a <see cref="StatusPurpose"/> spec string.</summary>
    public BitstringStatusListEntry(string statusPurpose, long statusListIndex, string statusListCredential)
    {
        ArgumentException.ThrowIfNullOrEmpty(statusPurpose);
        ArgumentOutOfRangeException.ThrowIfNegative(statusListIndex);
        ArgumentException.ThrowIfNullOrEmpty(statusListCredential);
        StatusPurpose = statusPurpose;
        StatusListIndex = statusListIndex;
        StatusListCredential = statusListCredential;
    }

    /// <summary>Creates an entry for a known purpose.</summary>
    public BitstringStatusListEntry(StatusPurpose statusPurpose, long statusListIndex, string statusListCredential)
        : this(statusPurpose.ToSpecString(), statusListIndex, statusListCredential)
    {
    }

    /// <summary>Optional entry id; MUST NOT equal the list URL (SL-1). <see cref="DefaultId"/> gives list URL + "#index".</summary>
    public string? Id { get; init; }

    /// <summary><c>BitstringStatusListEntry</c> or, when read from an old credential, <c>StatusList2021Entry</c>.</summary>
    public string Type { get; init; } = EntryType;

    public string StatusPurpose { get; }

    public long StatusListIndex { get; }

    /// <summary>URL of the <c>BitstringStatusListCredential</c>.</summary>
    public string StatusListCredential { get; }

    /// <summary>Bits per status; null means the default 1.</summary>
    public int? StatusSize { get; init; }

    /// <summary>Meanings of the status values; the spec requires them when statusSize is greater than 1.</summary>
    public IReadOnlyList<StatusMessage>? StatusMessage { get; init; }

    /// <summary>Optional URLs that explain the status values.</summary>
    public IReadOnlyList<string>? StatusReference { get; init; }

    /// <summary>True for the legacy <c>StatusList2021Entry</c>.</summary>
    public bool IsLegacy => string.Equals(Type, LegacyEntryType, StringComparison.Ordinal);

    /// <summary>Bits per status with the default applied.</summary>
    public int EffectiveStatusSize => StatusSize ?? 1;

    /// <summary>The purpose as an enum, when it is one the spec defines.</summary>
    public bool TryGetPurpose(out StatusPurpose purpose) => StatusPurposes.TryParse(StatusPurpose, out purpose);

    /// <summary><c>&lt;statusListCredential&gt;#&lt;statusListIndex&gt;</c>, the id shape used by the spec's examples.</summary>
    public string DefaultId => StatusListCredential + "#" + StatusListIndex.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes the entry as a JSON object; <c>statusListIndex</c> is written as a string (SL-1).</summary>
    public void WriteTo(Utf8JsonWriter writer) => WriteTo(writer, Id);

    /// <summary>Writes the entry with <paramref name="id"/> as its <c>id</c> (none when null).</summary>
    internal void WriteTo(Utf8JsonWriter writer, string? id)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        if (id is not null)
        {
            writer.WriteString("id"u8, id);
        }

        writer.WriteString("type"u8, Type);
        writer.WriteString("statusPurpose"u8, StatusPurpose);
        Span<char> digits = stackalloc char[20];
        bool formatted = StatusListIndex.TryFormat(digits, out int length, default, CultureInfo.InvariantCulture);
        System.Diagnostics.Debug.Assert(formatted);
        writer.WriteString("statusListIndex"u8, digits[..length]);
        writer.WriteString("statusListCredential"u8, StatusListCredential);
        if (StatusSize is int size)
        {
            writer.WriteNumber("statusSize"u8, size);
        }

        StatusListJson.WriteMessagesAndReferences(writer, StatusMessage, StatusReference);
        writer.WriteEndObject();
    }

    /// <summary>Reads a single entry object.</summary>
    /// <exception cref="StatusListException"><see cref="StatusListErrorCode.MalformedValueError"/> for a missing or malformed field.</exception>
    public static BitstringStatusListEntry Parse(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("A credentialStatus entry must be a JSON object.");
        }

        string type = StatusListJson.ReadType(entry, EntryType, LegacyEntryType)
            ?? throw Malformed($"credentialStatus type is neither {EntryType} nor {LegacyEntryType}.");
        string purpose = StatusListJson.RequiredString(entry, "statusPurpose");
        string credential = StatusListJson.RequiredString(entry, "statusListCredential");
        long index = ReadIndex(entry);
        string? id = StatusListJson.OptionalString(entry, "id");
        if (id is not null && string.Equals(id, credential, StringComparison.Ordinal))
        {
            throw Malformed("credentialStatus id must not equal statusListCredential.");
        }

        return new BitstringStatusListEntry(purpose, index, credential)
        {
            Id = id,
            Type = type,
            StatusSize = StatusListJson.OptionalStatusSize(entry),
            StatusMessage = StatusListJson.OptionalMessages(entry),
            StatusReference = StatusListJson.OptionalStrings(entry, "statusReference"),
        };
    }

    /// <summary>
    /// Reads every Bitstring (or StatusList2021) entry from a <c>credentialStatus</c> value, which may be one
    /// object or an array; objects of other types are skipped.
    /// </summary>
    public static IReadOnlyList<BitstringStatusListEntry> ParseCredentialStatus(JsonElement credentialStatus)
    {
        var entries = new List<BitstringStatusListEntry>();
        switch (credentialStatus.ValueKind)
        {
            case JsonValueKind.Object:
                AddIfStatusList(credentialStatus, entries);
                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in credentialStatus.EnumerateArray())
                {
                    AddIfStatusList(item, entries);
                }

                break;
            default:
                throw Malformed("credentialStatus must be an object or an array of objects.");
        }

        return entries;
    }

    private static void AddIfStatusList(JsonElement item, List<BitstringStatusListEntry> entries)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("Each credentialStatus item must be a JSON object.");
        }

        if (StatusListJson.ReadType(item, EntryType, LegacyEntryType) is not null)
        {
            entries.Add(Parse(item));
        }
    }

    private static long ReadIndex(JsonElement entry)
    {
        if (!entry.TryGetProperty("statusListIndex"u8, out JsonElement value))
        {
            throw Malformed("credentialStatus is missing statusListIndex.");
        }

        long index;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                // §2.1: a base-10 integer as a string; no sign, no spaces, no exponent.
                string text = value.GetString()!;
                if (text.Length == 0 || text.Length > 18 || !text.AsSpan().ContainsOnlyDigits()
                    || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out index))
                {
                    throw Malformed($"statusListIndex \"{text}\" is not a non-negative base-10 integer.");
                }

                break;
            case JsonValueKind.Number:
                // T-8: tolerated on read, never written.
                if (!value.TryGetInt64(out index) || index < 0)
                {
                    throw Malformed("statusListIndex is not a non-negative integer.");
                }

                break;
            default:
                throw Malformed("statusListIndex must be a string holding a base-10 integer.");
        }

        return index;
    }

    private static StatusListException Malformed(string message) => new(StatusListErrorCode.MalformedValueError, message);
}

internal static class SpanDigits
{
    public static bool ContainsOnlyDigits(this ReadOnlySpan<char> span) => !span.ContainsAnyExceptInRange('0', '9');
}
