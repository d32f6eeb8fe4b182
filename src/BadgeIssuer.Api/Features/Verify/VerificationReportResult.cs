using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Core.Verification;
using Microsoft.AspNetCore.Http.Metadata;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>200 with the report written by <see cref="VerificationReport.WriteTo"/>, the same JSON the CLI prints.</summary>
internal sealed class VerificationReportResult(VerificationReport report) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    // JSON, not HTML: '+' in "png+json" and quotes in messages stay readable (the CLI writes the same way).
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public VerificationReport Report { get; } = report;

    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter, s_writerOptions))
        {
            Report.WriteTo(writer);
        }

        await httpContext.Response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(VerificationReportDocument), ["application/json"]));
    }
}
