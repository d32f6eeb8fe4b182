using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>
/// The in-memory JSON model expansion produces and toRdf consumes:
/// object = <see cref="Dictionary{TKey,TValue}"/> of string → object? (ordinal keys),
/// array = <see cref="List{T}"/> of object?, string, double (every JSON number), bool, null,
/// and <see cref="JsonElement"/> for the value of a <c>@json</c> literal (kept as the input's JSON).
/// </summary>
internal static class ExpandedJson
{
    public static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case double d:
                if (double.IsInteger(d) && Math.Abs(d) < 1e15)
                {
                    writer.WriteNumberValue((long)d);
                }
                else
                {
                    writer.WriteNumberValue(d);
                }

                break;
            case JsonElement e:
                e.WriteTo(writer);
                break;
            case Dictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (KeyValuePair<string, object?> kv in map)
                {
                    writer.WritePropertyName(kv.Key);
                    Write(writer, kv.Value);
                }

                writer.WriteEndObject();
                break;
            case List<object?> list:
                writer.WriteStartArray();
                foreach (object? item in list)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Unexpected value of type {value.GetType()} in expanded JSON-LD."));
        }
    }

    public static JsonElement ToJsonElement(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, value);
        }

        using JsonDocument doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }
}
