using System.Text.Json;
using System.Text.Json.Serialization;

namespace BadgeIssuer.Api.Features.Tenancy;

/// <summary>Source-generated JSON metadata for the Tenancy responses (API keys and the audit log); in the HTTP JSON options beside <see cref="Infrastructure.ApiJsonContext"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(ApiKeyList))]
[JsonSerializable(typeof(AuditPage))]
internal sealed partial class TenancyJsonContext : JsonSerializerContext;
