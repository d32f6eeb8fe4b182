using System.Text.Json;
using System.Text.Json.Serialization;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>Source-generated JSON metadata for the Verify responses (the verification request and report); in the HTTP JSON options beside <see cref="Infrastructure.ApiJsonContext"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VerifyCredentialRequest))]
[JsonSerializable(typeof(VerificationReportDocument))]
internal sealed partial class VerifyJsonContext : JsonSerializerContext;
