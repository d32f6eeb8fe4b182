using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace BadgeIssuer.Api.Features.Wallet;

/// <summary>
/// An OAuth 2.0 / OpenID4VCI error answer (<c>{"error", "error_description"}</c>, application/json, never cached): the
/// token, nonce and credential endpoints speak the protocol's errors, which wallets read, not RFC 9457 problems.
/// <c>error_description</c> is kept to the characters RFC 6749 allows.
/// </summary>
internal sealed class ProtocolErrorResult(int status, string error, string description, string? wwwAuthenticate = null) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => status;

    public string Error => error;

    public string Description => description;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("error", error);
            w.WriteString("error_description", Clean(description));
            w.WriteEndObject();
        }

        HttpResponse response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        if (wwwAuthenticate is not null)
        {
            response.Headers.WWWAuthenticate = wwwAuthenticate;
        }

        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(ProtocolError), ["application/json"]));
    }

    /// <summary>%x20-21 / %x23-5B / %x5D-7E (RFC 6749 §5.2): anything else becomes '?'.</summary>
    public static string Clean(string text)
    {
        char[] chars = text.Length > 500 ? text[..500].ToCharArray() : text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (chars[i] is < ' ' or > '~' or '"' or '\\')
            {
                chars[i] = '?';
            }
        }

        return new string(chars);
    }

    public static ProtocolErrorResult BadRequest(string error, string description) => new(StatusCodes.Status400BadRequest, error, description);

    /// <summary>401 with an RFC 6750 challenge: no error code when no token was sent, <c>invalid_token</c> otherwise.</summary>
    public static ProtocolErrorResult InvalidToken(string description, bool tokenSent) =>
        new(StatusCodes.Status401Unauthorized, "invalid_token", description,
            tokenSent ? $"Bearer error=\"invalid_token\", error_description=\"{Clean(description)}\"" : "Bearer");
}
