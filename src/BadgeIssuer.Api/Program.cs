using BadgeIssuer.Api.Features.Verify;
using BadgeIssuer.Api.Infrastructure;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

// Errors leave as RFC 9457 problem details; never a stack trace.
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));

// The clock is a service so tests can fix it; nothing reads DateTime.UtcNow.
builder.Services.AddSingleton(TimeProvider.System);

// Small bodies by default; an endpoint that needs more (baked images) raises the limit for its own requests.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = RequestBody.DefaultMaxBytes);

builder.Services.AddHealthChecks();
builder.Services.AddVerify();

builder.Services.AddOpenApi("v1", options => options.AddDocumentTransformer((document, _, _) =>
{
    document.Info.Title = "BadgeIssuer";
    document.Info.Description = "Open Badges 3.0 issuing and verification service.";
    return Task.CompletedTask;
}));

WebApplication app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapOpenApi();
app.MapHealthChecks("/health");
app.MapVerify();

app.Run();

/// <summary>The entry point, visible to <c>WebApplicationFactory</c>.</summary>
public partial class Program;
