using System.Globalization;
using System.Text.Json;

namespace BadgeIssuer.Core.StatusList;

// Shared JSON reading/writing for entries and list credentials; all failures are MALFORMED_VALUE_ERROR.
internal static class StatusListJson
{
    // Returns the matching type name when `type` (string or array) contains one of the two names.
    public static string? ReadType(JsonElement obj, string current, string legacy)
    {
        if (!obj.TryGetProperty("type"u8, out JsonElement type))
        {
            return null;
        }

        if (type.ValueKind == JsonValueKind.String)
        {
            return Match(type);
        }

        if (type.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in type.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && Match(item) is string found)
                {
                    return found;
                }
            }
        }

        return null;

        string? Match(JsonElement value) =>
            value.ValueEquals(current) ? current : value.ValueEquals(legacy) ? legacy : null;
    }

    public static string RequiredString(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.String
            || value.GetString() is not { Length: > 0 } text)
        {
            throw Malformed($"'{name}' must be a non-empty string.");
        }

        return text;
    }

    public static string? OptionalString(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Malformed($"'{name}' must be a string.");
    }

    // A string or an array of strings.
    public static IReadOnlyList<string>? OptionalStrings(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return [value.GetString()!];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Malformed($"'{name}' must be a string or an array of strings.");
        }

        var list = new List<string>(value.GetArrayLength());
        foreach (JsonElement item in value.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Malformed($"'{name}' must hold only strings."));
        }

        return list;
    }

    public static int? OptionalStatusSize(JsonElement obj)
    {
        if (!obj.TryGetProperty("statusSize"u8, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int size)
            || size < 1 || size > BitstringStatusList.MaxStatusSize)
        {
            throw Malformed($"statusSize must be an integer from 1 to {BitstringStatusList.MaxStatusSize}.");
        }

        return size;
    }

    public static IReadOnlyList<StatusMessage>? OptionalMessages(JsonElement obj)
    {
        if (!obj.TryGetProperty("statusMessage"u8, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Malformed("statusMessage must be an array.");
        }

        var list = new List<StatusMessage>(value.GetArrayLength());
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw Malformed("statusMessage items must be objects.");
            }

            list.Add(new StatusMessage(RequiredString(item, "status"), RequiredString(item, "message")));
        }

        return list;
    }

    public static void WriteMessagesAndReferences(Utf8JsonWriter writer, IReadOnlyList<StatusMessage>? messages, IReadOnlyList<string>? references)
    {
        if (messages is not null)
        {
            writer.WriteStartArray("statusMessage"u8);
            foreach (StatusMessage message in messages)
            {
                writer.WriteStartObject();
                writer.WriteString("status"u8, message.Status);
                writer.WriteString("message"u8, message.Message);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (references is not null)
        {
            if (references.Count == 1)
            {
                writer.WriteString("statusReference"u8, references[0]);
            }
            else
            {
                writer.WriteStartArray("statusReference"u8);
                foreach (string reference in references)
                {
                    writer.WriteStringValue(reference);
                }

                writer.WriteEndArray();
            }
        }
    }

    // XML Schema dateTimeStamp in UTC, whole seconds: the form T-3 recommends for anything that is signed.
    public static string FormatDateTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? OptionalDateTime(JsonElement obj, string name)
    {
        string? text = OptionalString(obj, name);
        if (text is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset value)
            ? value
            : throw Malformed($"'{name}' is not a date-time.");
    }

    private static StatusListException Malformed(string message) => new(StatusListErrorCode.MalformedValueError, message);
}
