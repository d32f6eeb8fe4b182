using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Verification;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>Which remote documents the verifier may fetch (<c>Verify:Remote:Mode</c>).</summary>
internal enum RemoteResolutionMode
{
    /// <summary>Nothing is fetched; the verifier works offline (the default).</summary>
    Off,

    /// <summary>https documents from the hosts in <see cref="RemoteResolutionOptions.AllowedHosts"/> only.</summary>
    Allowlist,

    /// <summary>https documents from any host that resolves only to public addresses, on <see cref="RemoteResolutionOptions.PublicPorts"/>.</summary>
    Public,
}

/// <summary>
/// Remote resolution for the verifier (configuration section <c>Verify:Remote</c>): did:web DID documents, https
/// controller documents, remote status list credentials and the resources <c>relatedResource</c> entries name. Off by default.
/// </summary>
internal sealed class RemoteResolutionOptions
{
    public const string Section = "Verify:Remote";

    /// <summary>off, allowlist or public. Unset: allowlist when <see cref="AllowedHosts"/> names a host, otherwise off.</summary>
    public RemoteResolutionMode? Mode { get; set; }

    /// <summary>Exact host names whose https documents may be fetched in allowlist mode.</summary>
    public string[] AllowedHosts { get; set; } = [];

    /// <summary>Ports public mode connects to; empty means 443 (did:web may name another port). See <see cref="EffectivePublicPorts"/>.</summary>
    public List<int> PublicPorts { get; set; } = [];

    /// <summary>Connections to one host and port at the same time; further fetches wait for one, within the timeout.</summary>
    public int MaxConcurrentPerHost { get; set; } = 4;

    /// <summary>Time allowed for one document, redirects included.</summary>
    public int TimeoutSeconds { get; set; } = 5;

    /// <summary>Largest document accepted (DID document, controller document, status list credential).</summary>
    public int MaxDocumentBytes { get; set; } = 256 * 1024;

    /// <summary>How long a fetched document is reused; failures are remembered for at most 30 seconds.</summary>
    public int CacheSeconds { get; set; } = 300;

    /// <summary>Upper bound of the cache (sum of document sizes); the cache starts over when it would grow past it.</summary>
    public int MaxCacheBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// <see cref="PublicPorts"/>, or 443 when none is configured. (The default is empty rather than [443] because the
    /// configuration binder appends to a non-empty default: a configured list must replace 443, not add to it.)
    /// </summary>
    public IReadOnlyList<int> EffectivePublicPorts => PublicPorts is { Count: > 0 } ? PublicPorts : s_defaultPorts;

    private static readonly int[] s_defaultPorts = [443];

    /// <summary>The mode in force: <see cref="Mode"/>, or the one implied by <see cref="AllowedHosts"/>.</summary>
    public RemoteResolutionMode EffectiveMode => Mode ?? (AllowedHosts.Length > 0 ? RemoteResolutionMode.Allowlist : RemoteResolutionMode.Off);
}

internal sealed class RemoteResolutionOptionsValidator : IValidateOptions<RemoteResolutionOptions>
{
    public ValidateOptionsResult Validate(string? name, RemoteResolutionOptions options)
    {
        var failures = new List<string>();
        foreach (string host in options.AllowedHosts)
        {
            if (string.IsNullOrWhiteSpace(host) || Uri.CheckHostName(host) != UriHostNameType.Dns)
            {
                failures.Add($"Verify:Remote:AllowedHosts: '{host}' is not a host name (no scheme, port, path or wildcard).");
            }
        }

        switch (options.Mode)
        {
            case RemoteResolutionMode.Allowlist when options.AllowedHosts.Length == 0:
                failures.Add("Verify:Remote:Mode is allowlist but Verify:Remote:AllowedHosts names no host.");
                break;
            case RemoteResolutionMode.Off or RemoteResolutionMode.Public when options.AllowedHosts.Length > 0:
                failures.Add($"Verify:Remote:AllowedHosts applies to allowlist mode only; Verify:Remote:Mode is {options.Mode.Value.ToString().ToLowerInvariant()}. Remove one of the two.");
                break;
        }

        if (options.Mode is RemoteResolutionMode mode && !Enum.IsDefined(mode))
        {
            failures.Add("Verify:Remote:Mode must be off, allowlist or public.");
        }

        if (options.PublicPorts is null || options.PublicPorts.Count > 32 || options.PublicPorts.Any(p => p is < 1 or > 65535))
        {
            failures.Add("Verify:Remote:PublicPorts must hold at most 32 ports, each between 1 and 65535.");
        }

        if (options.MaxConcurrentPerHost is < 1 or > 64)
        {
            failures.Add("Verify:Remote:MaxConcurrentPerHost must be between 1 and 64.");
        }

        if (options.TimeoutSeconds is < 1 or > 60)
        {
            failures.Add("Verify:Remote:TimeoutSeconds must be between 1 and 60.");
        }

        if (options.MaxDocumentBytes is < 1024 or > 4 * 1024 * 1024)
        {
            failures.Add("Verify:Remote:MaxDocumentBytes must be between 1 KiB and 4 MiB.");
        }

        if (options.CacheSeconds is < 0 or > 86_400)
        {
            failures.Add("Verify:Remote:CacheSeconds must be between 0 and 86400.");
        }

        if (options.MaxCacheBytes < options.MaxDocumentBytes)
        {
            failures.Add("Verify:Remote:MaxCacheBytes must be at least Verify:Remote:MaxDocumentBytes.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Fetches did:web DID documents, https controller documents (KEY-3, KEY-4) and status list credentials: in allowlist
/// mode from the operator's hosts only, in public mode from any host whose name resolves only to public addresses
/// (<see cref="RemoteFetchGuard"/> checks every connection, redirects included). Always https, bounded in size, time,
/// redirects and concurrent fetches per host; results cached, failures briefly too. Anything not allowed is "not this
/// resolver's method" (the next resolver is asked); a failed fetch is a resolution failure with the reason, never an
/// exception.
/// </summary>
internal sealed partial class RemoteResolution : IVerificationMethodResolver, IDidResolver, IStatusListCredentialSource
{
    /// <summary>The named <see cref="HttpClient"/> (tests replace its primary handler).</summary>
    public const string ClientName = "BadgeIssuer.Verify.Remote";

    private const int MaxRedirects = 3;
    private const int MaxCacheEntries = 10_000;
    private static readonly TimeSpan s_failureCacheFor = TimeSpan.FromSeconds(30);
    private static readonly JsonDocumentOptions s_jsonOptions = new() { MaxDepth = 32 };

    private const string NotAllowed = "remote resolution is off or the URL is not one it may fetch (Verify:Remote:Mode)";

    private readonly IHttpClientFactory _clients;
    private readonly RemoteResolutionOptions _options;
    private readonly HashSet<string> _allowedHosts;
    private readonly RemoteResolutionMode _mode;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RemoteResolution> _logger;
    private readonly ConcurrentDictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);
    private long _cachedBytes;

    public RemoteResolution(IHttpClientFactory clients, IOptions<RemoteResolutionOptions> options, TimeProvider timeProvider, ILogger<RemoteResolution> logger)
    {
        _clients = clients;
        _options = options.Value;
        _allowedHosts = new HashSet<string>(_options.AllowedHosts.Select(h => h.Trim()), StringComparer.OrdinalIgnoreCase);
        _mode = _options.EffectiveMode;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>False in off mode: nothing is ever fetched.</summary>
    public bool Enabled => _mode != RemoteResolutionMode.Off;

    /// <summary>
    /// Whether <paramref name="url"/> may be requested: https without user info, and an allow-listed host (allowlist
    /// mode) or one of the public ports (public mode; the addresses are checked when connecting).
    /// </summary>
    public bool IsAllowed(Uri url)
        => url.IsAbsoluteUri
            && string.Equals(url.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal)
            && url.UserInfo.Length == 0
            && _mode switch
            {
                RemoteResolutionMode.Allowlist => _allowedHosts.Contains(url.IdnHost),
                RemoteResolutionMode.Public => _options.EffectivePublicPorts.Contains(url.Port) && IsQualifiedName(url),
                _ => false,
            };

    public async ValueTask<VerificationMethodResolution> ResolveVerificationMethodAsync(string verificationMethodUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verificationMethodUrl);
        int hash = verificationMethodUrl.IndexOf('#', StringComparison.Ordinal);
        string controller = hash < 0 ? verificationMethodUrl : verificationMethodUrl[..hash];
        if (!TryGetDocumentUrl(controller, out Uri? url))
        {
            return VerificationMethodResolution.Failure(ResolutionError.MethodNotSupported, NotAllowed);
        }

        RemoteDocument document = await GetDocumentAsync(url, "application/did+json, application/did+ld+json, application/ld+json;q=0.9, application/json;q=0.8", cancellationToken).ConfigureAwait(false);
        if (document.Error is not null)
        {
            return VerificationMethodResolution.Failure(document.ErrorKind, document.Error);
        }

        ControllerDocument parsed = document.Controller(controller, verificationMethodUrl);
        if (parsed.Error is not null)
        {
            return VerificationMethodResolution.Failure(ResolutionError.InvalidDocument, parsed.Error);
        }

        VerificationMethodResolution local = await parsed.Registry!.ResolveVerificationMethodAsync(verificationMethodUrl, cancellationToken).ConfigureAwait(false);
        if (local.Method is not ResolvedVerificationMethod m)
        {
            return VerificationMethodResolution.Failure(local.Error, $"{local.Detail} (document fetched from {url.Host})");
        }

        return VerificationMethodResolution.Success(new ResolvedVerificationMethod(m.Id, m.Type, m.Controller, m.PublicKey, m.Relationships, KeyProvenance.Fetched));
    }

    public async ValueTask<DidResolution> ResolveDidAsync(string did, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(did);
        if (did.Contains('#', StringComparison.Ordinal) || !TryGetDocumentUrl(did, out Uri? url))
        {
            return DidResolution.Failure(ResolutionError.MethodNotSupported, NotAllowed);
        }

        RemoteDocument document = await GetDocumentAsync(url, "application/did+json, application/did+ld+json, application/ld+json;q=0.9, application/json;q=0.8", cancellationToken).ConfigureAwait(false);
        if (document.Error is not null)
        {
            return DidResolution.Failure(document.ErrorKind, document.Error);
        }

        ControllerDocument parsed = document.Controller(did, verificationMethodUrl: null);
        return parsed.Error is null ? DidResolution.Success(document.Body!) : DidResolution.Failure(ResolutionError.InvalidDocument, parsed.Error);
    }

    /// <summary>A status list credential from an allow-listed host; null when not allowed or not fetched (the reason is logged).</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> GetAsync(string url, CancellationToken cancellationToken = default)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || !IsAllowed(uri))
        {
            return null;
        }

        RemoteDocument document = await GetDocumentAsync(uri, "application/vc+ld+json, application/vc, application/ld+json;q=0.9, application/json;q=0.8", cancellationToken).ConfigureAwait(false);
        return document.Body;
    }

    /// <summary>
    /// A resource a credential's <c>relatedResource</c> names, for its digest (VC 2.0 §5.3): asked for with the entry's
    /// media type when it gives one, at most <paramref name="maxBytes"/> (and <see cref="RemoteResolutionOptions.MaxDocumentBytes"/>)
    /// long, with the media type it was served as. Not available when this URL may not be fetched, or the fetch failed.
    /// </summary>
    public async ValueTask<RelatedResourceContent> GetResourceAsync(string url, string? mediaType, int maxBytes, CancellationToken cancellationToken = default)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || !IsAllowed(uri))
        {
            return RelatedResourceContent.NotAvailable(NotAllowed);
        }

        string accept = mediaType is { Length: > 0 and <= 255 } && System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(mediaType, out _) ? mediaType : "*/*";
        RemoteDocument document = await GetDocumentAsync(uri, accept, cancellationToken).ConfigureAwait(false);
        if (document.Body is not byte[] body)
        {
            return RelatedResourceContent.NotAvailable(document.Error ?? "the fetch failed");
        }

        return body.Length > maxBytes
            ? RelatedResourceContent.NotAvailable(string.Create(CultureInfo.InvariantCulture, $"the resource is {body.Length} bytes; the limit is {maxBytes}"))
            : new RelatedResourceContent(body, document.MediaType, "fetched from " + uri.IdnHost, null);
    }

    /// <summary>
    /// Public mode fetches only from fully qualified names (at least one dot, no trailing dot) or IP literals: a
    /// single-label name would be completed by the server's DNS search domains, i.e. resolve inside its network.
    /// </summary>
    private static bool IsQualifiedName(Uri url)
        => url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            || (url.IdnHost.Contains('.', StringComparison.Ordinal) && !url.IdnHost.EndsWith('.'));

    /// <summary>did:web → its DID document URL; https → the URL itself. Only allow-listed https URLs.</summary>
    private bool TryGetDocumentUrl(string controller, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? url)
    {
        url = null;
        if (!Enabled)
        {
            return false;
        }

        if (controller.StartsWith(DidWeb.Prefix, StringComparison.Ordinal))
        {
            DidWeb.TryToDocumentUrl(controller, out url);
        }
        else if (controller.StartsWith("https://", StringComparison.Ordinal))
        {
            Uri.TryCreate(controller, UriKind.Absolute, out url);
        }

        return url is not null && IsAllowed(url);
    }

    private async ValueTask<RemoteDocument> GetDocumentAsync(Uri url, string accept, CancellationToken cancellationToken)
    {
        string key = url.AbsoluteUri;
        DateTimeOffset now = _timeProvider.GetUtcNow();
        if (_cache.TryGetValue(key, out CacheEntry? cached) && cached.Until > now)
        {
            return cached.Document;
        }

        RemoteDocument document = await FetchAsync(url, accept, cancellationToken).ConfigureAwait(false);
        TimeSpan keep = document.Error is null ? TimeSpan.FromSeconds(_options.CacheSeconds) : TimeSpan.FromSeconds(Math.Min(_options.CacheSeconds, s_failureCacheFor.TotalSeconds));
        if (keep > TimeSpan.Zero)
        {
            int size = (document.Body?.Length ?? 0) + key.Length;
            if (_cache.Count >= MaxCacheEntries || Interlocked.Add(ref _cachedBytes, size) > _options.MaxCacheBytes)
            {
                _cache.Clear();
                Interlocked.Exchange(ref _cachedBytes, size);
            }

            _cache[key] = new CacheEntry(document, now + keep);
        }

        return document;
    }

    private async ValueTask<RemoteDocument> FetchAsync(Uri url, string accept, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        HttpClient client = _clients.CreateClient(ClientName);
        Uri current = url;
        try
        {
            for (int hop = 0; ; hop++)
            {
                // HTTP/1.1 exactly: HTTP/3 (QUIC) would not go through the ConnectCallback guard.
                using var request = new HttpRequestMessage(HttpMethod.Get, current) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
                request.Headers.Accept.ParseAdd(accept);
                using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                if (IsRedirect(response.StatusCode))
                {
                    Uri? location = response.Headers.Location;
                    if (location is null || hop >= MaxRedirects)
                    {
                        return Failed(url, location is null ? "a redirect without Location" : "too many redirects");
                    }

                    Uri next = location.IsAbsoluteUri ? location : new Uri(current, location);
                    if (!IsAllowed(next))
                    {
                        // Never follow to a host the operator did not allow (nor to http).
                        return Failed(url, _mode == RemoteResolutionMode.Allowlist
                            ? $"redirected to {next.Scheme}://{next.Host}, which is not allow-listed"
                            : $"redirected to {next.Scheme}://{next.Authority}, which is not https on a public port");
                    }

                    current = next;
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    return Failed(url, string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}"), ResolutionError.NotFound);
                }

                if (response.Content.Headers.ContentLength is long declared && declared > _options.MaxDocumentBytes)
                {
                    return Failed(url, string.Create(CultureInfo.InvariantCulture, $"the document is {declared} bytes; the limit is {_options.MaxDocumentBytes}"), ResolutionError.InvalidDocument);
                }

                Stream body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    byte[]? bytes = await ReadBoundedAsync(body, _options.MaxDocumentBytes, timeout.Token).ConfigureAwait(false);
                    return bytes is null
                        ? Failed(url, string.Create(CultureInfo.InvariantCulture, $"the document is larger than the limit of {_options.MaxDocumentBytes} bytes"), ResolutionError.InvalidDocument)
                        : new RemoteDocument(bytes, null, ResolutionError.None) { MediaType = response.Content.Headers.ContentType?.MediaType };
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(url, string.Create(CultureInfo.InvariantCulture, $"no answer within {_options.TimeoutSeconds} s"));
        }
        catch (HttpRequestException ex)
        {
            return Failed(url, "the request failed: " + ex.Message);
        }
        catch (IOException ex)
        {
            return Failed(url, "the response could not be read: " + ex.Message);
        }
    }

    private RemoteDocument Failed(Uri url, string reason, ResolutionError kind = ResolutionError.NotFound)
    {
        string message = $"{url.AbsoluteUri}: {reason}";
        LogFetchFailed(_logger, url.AbsoluteUri, reason);
        return new RemoteDocument(null, message, kind);
    }

    private static bool IsRedirect(HttpStatusCode status)
        => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static async ValueTask<byte[]?> ReadBoundedAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        while (true)
        {
            int read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }
    }

    [LoggerMessage(101, LogLevel.Warning, "Remote verification document {Url} not used: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string url, string reason);

    private sealed record CacheEntry(RemoteDocument Document, DateTimeOffset Until);

    /// <summary>A fetched body or why there is none; the controller document parsed from it is kept with it.</summary>
    private sealed class RemoteDocument(byte[]? body, string? error, ResolutionError errorKind)
    {
        private ControllerDocument? _controller;

        public byte[]? Body { get; } = body;

        public string? Error { get; } = error;

        public ResolutionError ErrorKind { get; } = errorKind;

        /// <summary>The media type the body was served as (Content-Type without parameters), when it said.</summary>
        public string? MediaType { get; init; }

        /// <summary>
        /// The body as the controller document of <paramref name="controllerId"/>: a DID or controller document whose
        /// id is <paramref name="controllerId"/>, or (KEY-4) a standalone verification method document whose id is
        /// <paramref name="verificationMethodUrl"/> and whose controller is on the same origin.
        /// </summary>
        public ControllerDocument Controller(string controllerId, string? verificationMethodUrl)
        {
            ControllerDocument parsed = _controller ??= Parse(Body!);
            if (parsed.Error is not null)
            {
                return parsed;
            }

            if (string.Equals(parsed.Id, controllerId, StringComparison.Ordinal)
                || (parsed.IsStandaloneMethod && string.Equals(parsed.Id, verificationMethodUrl, StringComparison.Ordinal) && SameOrigin(parsed.StandaloneController!, controllerId)))
            {
                return parsed;
            }

            return new ControllerDocument(null, null, false, null, $"the document fetched for {controllerId} has the id '{parsed.Id}'");
        }

        private static ControllerDocument Parse(byte[] body)
        {
            var registry = new LocalControllerRegistry();
            try
            {
                using JsonDocument json = JsonDocument.Parse(body, s_jsonOptions);
                JsonElement root = json.RootElement;
                if (root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("verificationMethod", out _) && root.TryGetProperty("controller", out JsonElement controller) && controller.ValueKind == JsonValueKind.String)
                {
                    // A bare key document states no relationships: it may sign assertions, nothing more.
                    string id = registry.RegisterVerificationMethod(body, VerificationRelationships.AssertionMethod);
                    return new ControllerDocument(registry, id, true, controller.GetString(), null);
                }

                return new ControllerDocument(registry, registry.Register(body), false, null, null);
            }
            catch (JsonException ex)
            {
                return new ControllerDocument(null, null, false, null, "the document is not valid JSON: " + ex.Message);
            }
            catch (ArgumentException ex)
            {
                return new ControllerDocument(null, null, false, null, ex.Message);
            }
        }

        private static bool SameOrigin(string a, string b)
            => Uri.TryCreate(a, UriKind.Absolute, out Uri? x) && Uri.TryCreate(b, UriKind.Absolute, out Uri? y)
                && Uri.Compare(x, y, UriComponents.SchemeAndServer, UriFormat.SafeUnescaped, StringComparison.OrdinalIgnoreCase) == 0;
    }

    private sealed record ControllerDocument(LocalControllerRegistry? Registry, string? Id, bool IsStandaloneMethod, string? StandaloneController, string? Error);
}

internal static class RemoteResolutionExtensions
{
    /// <summary>
    /// Registers <see cref="RemoteResolution"/>, its options, its guard and its named <see cref="HttpClient"/> (no
    /// automatic redirects; in public mode no proxy and every connection through <see cref="RemoteFetchGuard"/>).
    /// </summary>
    public static IServiceCollection AddRemoteResolution(this IServiceCollection services)
    {
        services.AddOptions<RemoteResolutionOptions>().BindConfiguration(RemoteResolutionOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RemoteResolutionOptions>, RemoteResolutionOptionsValidator>();
        services.AddSingleton<RemoteFetchGuard>();
        services.AddHttpClient(RemoteResolution.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                RemoteResolutionOptions options = sp.GetRequiredService<IOptions<RemoteResolutionOptions>>().Value;
                RemoteFetchGuard guard = sp.GetRequiredService<RemoteFetchGuard>();
                bool isPublic = options.EffectiveMode == RemoteResolutionMode.Public;
                var handler = new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    AutomaticDecompression = DecompressionMethods.None,
                    ConnectTimeout = TimeSpan.FromSeconds(5),
                    // Connections are re-resolved and re-checked at least this often.
                    PooledConnectionLifetime = isPublic ? TimeSpan.FromMinutes(1) : TimeSpan.FromMinutes(5),
                    MaxResponseHeadersLength = 64,
                    // The per-host concurrency limit: further requests to the host wait for a connection, within the timeout.
                    MaxConnectionsPerServer = options.MaxConcurrentPerHost,
                    UseCookies = false,
                };
                if (isPublic)
                {
                    // A proxy would connect for us, past the address checks.
                    handler.UseProxy = false;
                    handler.ConnectCallback = guard.ConnectAsync;
                }

                handler.SslOptions.RemoteCertificateValidationCallback = guard.ValidateCertificate;
                return handler;
            });
        services.AddSingleton<RemoteResolution>();
        return services;
    }
}
