using System.Text.Json.Serialization;
using BadgeIssuer.Api.Features.Achievements;
using BadgeIssuer.Api.Features.Admin;
using BadgeIssuer.Api.Features.Credentials;
using BadgeIssuer.Api.Features.Issue;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Features.OAuth;
using BadgeIssuer.Api.Features.Status;
using BadgeIssuer.Api.Features.Tenancy;
using BadgeIssuer.Api.Features.Verify;
using BadgeIssuer.Api.Features.Wallet;
using BadgeIssuer.Api.Features.Webhooks;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;

// appsettings.json is read from beside the binary wherever the service is started from, on top of in-code defaults
// for what matters in production (log levels, listening address); configuration files are not watched.
WebApplicationBuilder builder = WebApplication.CreateBuilder(HostConfiguration.Options(args));
HostConfiguration.AddDefaults(builder.Configuration);

// Errors leave as RFC 9457 problem details; never a stack trace.
builder.Services.AddApiProblemDetails();
// Source-generated metadata of the shared DTOs and of each feature's own, ahead of the reflection-based default.
builder.Services.ConfigureHttpJsonOptions(options =>
{
    JsonSerializerContext[] contexts =
    [
        ApiJsonContext.Default, VerifyJsonContext.Default, StatusJsonContext.Default, TenancyJsonContext.Default,
        OAuthJsonContext.Default, AdminJsonContext.Default, WebhooksJsonContext.Default,
    ];
    for (int i = 0; i < contexts.Length; i++)
    {
        options.SerializerOptions.TypeInfoResolverChain.Insert(i, contexts[i]);
    }
});

// Credentials a client puts in a URL anyway (?api_key=…) are masked in every log entry, the framework's included.
builder.Services.AddCredentialRedactingLogs();

// The clock is a service so tests can fix it; nothing reads DateTime.UtcNow.
builder.Services.AddSingleton(TimeProvider.System);

// Small bodies by default; an endpoint that needs more (baked images, batches) raises the limit for its own requests.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = RequestBody.DefaultMaxBytes);

// Configuration, data directory, public URLs, key vault and recipient-lookup key.
builder.Services.AddBadgeIssuerServices();
// PostgreSQL when ConnectionStrings:Postgres is set, else SQLite in the data directory.
builder.Services.AddBadgeStorage(sp => sp.GetRequiredService<DataDirectory>().Path);
// The first issuer and admin API key on an empty database: the first hosted service, the others rely on it.
builder.Services.AddBootstrap();
// Bearer API keys and OAuth access tokens (JWTs from POST /oauth/token) on every protected endpoint.
builder.Services.AddApiKeyAuthentication();
// Re-wrapping issuer keys under a new key-encryption key: once at start and on demand.
builder.Services.AddKekAdministration();
// Online backups of the SQLite database (POST /admin/backup), one at a time.
builder.Services.AddBackup();
// Forwarded headers, HTTPS redirection and HSTS, each off unless configured.
builder.Services.AddHttpsHardening();

builder.Services.AddIssuers();
builder.Services.AddTenancy();
builder.Services.AddIssue();
// Credential offers to learners' wallets and the OpenID4VCI issuer (pre-authorized code).
builder.Services.AddWallet();
builder.Services.AddStatus();
builder.Services.AddVerify();
builder.Services.AddPresentations();
// Signed webhooks from the transactional outbox: off unless BadgeIssuer:Webhooks:Enabled.
builder.Services.AddWebhooks();

// Public endpoints per client address, protected ones per API key; 429 with Retry-After beyond the limits.
builder.Services.AddRateLimits();

builder.Services.AddOpenApi("v1", options =>
{
    options.AddDocumentTransformer((document, _, _) =>
    {
        document.Info.Title = "BadgeIssuer";
        document.Info.Description = "Open Badges 3.0 issuing and verification service.";
        return Task.CompletedTask;
    });
    options.AddDocumentTransformer<BearerSecurityTransformer>();
    options.AddRateLimitResponses();
});

WebApplication app = builder.Build();

app.UseForwardedHeadersIfEnabled();
app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseQueryCredentialRefusal();
app.UseHttpsHardening();
app.UseAuthentication();
app.UseRateLimiter();
app.UseRequestTimeouts();
app.UseAuthorization();

app.MapOpenApi();

// API reference: Swagger UI (Swashbuckle.AspNetCore.SwaggerUI) over the document above, its assets embedded in the package
// and served from /docs (no CDN); SecurityHeaders gives /docs a CSP that allows only those.
app.UseSwaggerUI(options =>
{
    options.RoutePrefix = "docs";
    options.DocumentTitle = "BadgeIssuer API";
    options.SwaggerEndpoint("/openapi/v1.json", "BadgeIssuer API");
});

// Liveness: the process answers. Readiness: bootstrap finished and the database answers.
app.MapGet("/healthz", () => TypedResults.Text("ok")).WithTags("Health").WithName("Liveness").ExcludeFromDescription().DisableRateLimiting();
app.MapGet("/readyz", async (Bootstrap bootstrap, IBadgeStorage storage, CancellationToken ct) =>
        bootstrap.Completed && await storage.PingAsync(ct)
            ? Results.Text("ready")
            : ApiProblems.NotReady.Result("Starting up or the database does not answer."))
    .WithTags("Health").WithName("Readiness").ExcludeFromDescription().DisableRateLimiting();

app.MapIssuers();
app.MapTenancy();
app.MapOAuth();
app.MapKekAdministration();
app.MapBackup();
app.MapAchievements();
app.MapIssue();
app.MapAwards();
app.MapClrs();
app.MapStatus();
app.MapVerify();
app.MapPresentations();
app.MapCredentialList();
app.MapCredentialDownloads();
app.MapCredentialPathway();
app.MapWallet();
app.MapWebhooks();

app.Run();

/// <summary>The entry point, visible to <c>WebApplicationFactory</c>.</summary>
public partial class Program;
