using System.Text.Json;
using System.Text.Json.Serialization;

namespace BadgeIssuer.Api.Features.OAuth;

/// <summary>Source-generated JSON metadata for the OAuth responses (tokens, OAuth errors and clients); in the HTTP JSON options beside <see cref="Infrastructure.ApiJsonContext"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(OAuthError))]
[JsonSerializable(typeof(CreatedClient))]
[JsonSerializable(typeof(ClientList))]
internal sealed partial class OAuthJsonContext : JsonSerializerContext;
