using System.Text.Json;
using System.Text.Json.Serialization;

namespace BadgeIssuer.Api.Features.Status;

/// <summary>Source-generated JSON metadata for the Status responses (status changes); in the HTTP JSON options beside <see cref="Infrastructure.ApiJsonContext"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StatusChangeResponse))]
[JsonSerializable(typeof(StatusChangeList))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
