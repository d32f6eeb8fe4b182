using System.Text;
using BadgeIssuer.Api.Features.Verify;
using Microsoft.AspNetCore.Http;

namespace BadgeIssuer.Api.Tests.Verify;

public sealed class VerificationReportResultTests
{
    [Fact]
    public async Task WriteAsync_RequestCancelledAfterTheVerdict_StillDeliversTheWholeReport()
    {
        // The request-timeout middleware cancels RequestAborted; a report already written must be flushed, not left in
        // the buffer for the middleware's 504 problem to be appended to.
        using var body = new MemoryStream();
        var context = new DefaultHttpContext { RequestAborted = new CancellationToken(canceled: true) };
        context.Response.Body = body;

        await VerificationReportResult.WriteAsync(context, StatusCodes.Status422UnprocessableEntity, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("verified", false);
            w.WriteEndObject();
        });

        context.Response.StatusCode.Should().Be(422);
        Encoding.UTF8.GetString(body.ToArray()).Should().Be("""{"verified":false}""");
    }
}
