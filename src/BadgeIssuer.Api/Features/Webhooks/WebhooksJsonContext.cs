using System.Text.Json;
using System.Text.Json.Serialization;

namespace BadgeIssuer.Api.Features.Webhooks;

/// <summary>Source-generated JSON metadata for the Webhooks responses (webhook endpoints, secrets and deliveries); in the HTTP JSON options beside <see cref="Infrastructure.ApiJsonContext"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreatedWebhookEndpoint))]
[JsonSerializable(typeof(WebhookEndpointInfo))]
[JsonSerializable(typeof(WebhookEndpointList))]
[JsonSerializable(typeof(WebhookSecretResponse))]
[JsonSerializable(typeof(WebhookDeliveryInfo))]
[JsonSerializable(typeof(WebhookDeliveryPage))]
internal sealed partial class WebhooksJsonContext : JsonSerializerContext;
