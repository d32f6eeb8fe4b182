using System.Text.Json;
using System.Text.Json.Serialization;

namespace BadgeIssuer.Api.Features.Admin;

/// <summary>Source-generated JSON metadata for the Admin responses (key re-wrap reports and backups); in the HTTP JSON options beside <see cref="Infrastructure.ApiJsonContext"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RewrapReport))]
[JsonSerializable(typeof(BackupResult))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
