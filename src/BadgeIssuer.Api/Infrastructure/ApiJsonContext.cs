using System.Text.Json;
using System.Text.Json.Serialization;
using BadgeIssuer.Api.Features.Verify;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>Source-generated JSON metadata for the API's own DTOs. Credentials themselves stay raw UTF-8.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VerifyCredentialRequest))]
[JsonSerializable(typeof(VerificationReportDocument))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.Status.StatusChangeResponse))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.Status.StatusChangeList))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.Tenancy.CreatedApiKey))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.Tenancy.ApiKeyList))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.Tenancy.AuditPage))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.OAuth.TokenResponse))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.OAuth.OAuthError))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.OAuth.CreatedClient))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.OAuth.ClientList))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.Admin.RewrapReport))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.Webhooks.CreatedWebhookEndpoint))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.Webhooks.WebhookEndpointInfo))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.Webhooks.WebhookEndpointList))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.Webhooks.WebhookSecretResponse))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.Webhooks.WebhookDeliveryInfo))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.Webhooks.WebhookDeliveryPage))]
[JsonSerializable(typeof(BadgeIssuer.Api.Features.Admin.BackupResult))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
