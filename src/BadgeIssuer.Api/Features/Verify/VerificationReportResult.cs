using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Core.Verification;
using Microsoft.AspNetCore.Http.Metadata;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>
/// The report written by <see cref="VerificationReport.WriteTo"/>, the same JSON the CLI prints, with the VC-API status:
/// 200 when the credential verified, 422 when it was read but does not verify, 400 when the input held no readable
/// credential (e.g. an image without one). Requests that are not a credential at all never get here (problem responses).
/// </summary>
internal sealed class VerificationReportResult(VerificationReport report) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    // JSON, not HTML: '+' in "png+json" and quotes in messages stay readable (the CLI writes the same way).
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public VerificationReport Report { get; } = report;

    public int? StatusCode => Report.Verified
        ? StatusCodes.Status200OK
        : Report.InputReadable ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status400BadRequest;

    public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, StatusCode!.Value, Report.WriteTo);

    /// <summary>Writes a report (credential or presentation) as the response body with its status.</summary>
    internal static async Task WriteAsync(HttpContext httpContext, int statusCode, Action<Utf8JsonWriter> writeReport)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter, s_writerOptions))
        {
            writeReport(writer);
        }

        // Not the request's token: once a verdict exists it is delivered. A cancelled flush would leave the report in the
        // unsent buffer, and the request-timeout middleware would append its 504 problem to it (one body, two documents).
        await httpContext.Response.BodyWriter.FlushAsync(CancellationToken.None);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(VerificationReportDocument), ["application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(VerificationReportDocument), ["application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status422UnprocessableEntity, typeof(VerificationReportDocument), ["application/json"]));
    }
}
