using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>Service configuration (section <c>BadgeIssuer</c>; environment <c>BadgeIssuer__…</c>). Defaults run a dev service with no set-up.</summary>
internal sealed class BadgeIssuerOptions
{
    public const string Section = "BadgeIssuer";

    /// <summary>The origin credentials, DID documents and status lists are published under; default: the first listening URL.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Holds the SQLite database, the dev key-encryption key and <c>bootstrap.json</c>; created if missing.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>
    /// The Data Integrity cryptosuites new issuers may sign with (<c>BadgeIssuer:Cryptosuites</c>; empty: every built-in
    /// signing suite, eddsa-rdfc-2022 and ecdsa-rdfc-2019). An issuer's key type picks its suite, so a key type whose suite
    /// is not listed cannot be chosen for a new issuer (nor for the first one); issuers that already have such keys keep
    /// signing with them, so what they issued stays verifiable and revocable.
    /// </summary>
    public string[] Cryptosuites { get; set; } = [];

    /// <summary>The configured issuing suites (<see cref="Core.DataIntegrity.CryptosuiteSet.Default"/> when none is listed).</summary>
    public Core.DataIntegrity.CryptosuiteSet IssuingSuites() => Cryptosuites.Length == 0 ? Core.DataIntegrity.CryptosuiteSet.Default : Core.DataIntegrity.CryptosuiteSet.FromNames(Cryptosuites);

    /// <summary>Whether a new issuer may have a key of <paramref name="keyType"/> (Ed25519 or P-256): an issuing suite signs with it.</summary>
    public bool IssuerKeyTypeEnabled(string keyType) => keyType switch
    {
        "Ed25519" => IssuingSuites().FindSigningSuite(Core.Keys.KeyType.Ed25519) is not null,
        "P-256" => IssuingSuites().FindSigningSuite(Core.Keys.KeyType.P256) is not null,
        _ => false,
    };

    /// <summary>Base64 of a 32-byte AES key that wraps issuer private keys; overrides <see cref="KeyEncryptionKeyFile"/>.</summary>
    public string? KeyEncryptionKey { get; set; }

    /// <summary>File holding the base64 key-encryption key; default <c>&lt;DataDirectory&gt;/kek.key</c>, generated on first start.</summary>
    public string? KeyEncryptionKeyFile { get; set; }

    /// <summary>
    /// Base64 of a 32-byte HMAC key for recipient lookup (<c>GET /credentials?recipient=</c>); overrides
    /// <see cref="RecipientLookupKeyFile"/>. Every instance sharing a database needs the same key.
    /// </summary>
    public string? RecipientLookupKey { get; set; }

    /// <summary>File holding the base64 recipient-lookup key; default <c>&lt;DataDirectory&gt;/recipient-lookup.key</c>, generated on first start.</summary>
    public string? RecipientLookupKeyFile { get; set; }

    /// <summary>
    /// Earlier key-encryption keys (base64 of 32 bytes each), still accepted to unwrap keys wrapped under them until
    /// they are re-wrapped under the current one. During a rolling rotation, also the next key (see the README).
    /// </summary>
    public List<string> PreviousKeyEncryptionKeys { get; set; } = [];

    /// <summary>Files holding earlier key-encryption keys (as <see cref="KeyEncryptionKeyFile"/>).</summary>
    public List<string> PreviousKeyEncryptionKeyFiles { get; set; } = [];

    /// <summary>Re-wrap, in the background after start, every issuer key not under the current key-encryption key.</summary>
    public bool RewrapKeysAtStart { get; set; } = true;

    public BootstrapOptions Bootstrap { get; set; } = new();

    public OAuthOptions OAuth { get; set; } = new();

    public HttpsOptions Https { get; set; } = new();

    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    /// <summary>Online backups of the SQLite database (<c>POST /admin/backup</c>).</summary>
    public BackupOptions Backup { get; set; } = new();

    /// <summary>Most awards in one <c>POST /awards/batch</c>.</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>Largest body of the issue, award and management endpoints.</summary>
    public int MaxRequestBytes { get; set; } = 512 * 1024;

    /// <summary>Largest body of <c>POST /awards/batch</c>.</summary>
    public int MaxBatchRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest achievement image accepted as a data: URI (PNG or SVG, baked into downloads).</summary>
    public int MaxImageBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Published status lists carry this <c>ttl</c> and the same <c>Cache-Control</c> max-age.</summary>
    public int StatusListTtlSeconds { get; set; } = 300;

    /// <summary>Pathways: achievements composed of others, and their automatic awards (section <c>BadgeIssuer:Pathways</c>).</summary>
    public PathwayOptions Pathways { get; set; } = new();

    /// <summary>Comprehensive Learner Records (<c>POST /clrs</c>, section <c>BadgeIssuer:Clr</c>): their size bounds.</summary>
    public ClrOptions Clr { get; set; } = new();

    /// <summary>Entries per new status list (≥ 131,072, a multiple of 8).</summary>
    public int StatusListLength { get; set; } = 131_072;

    /// <summary>Status indexes reserved per database round trip (unused ones stay unused).</summary>
    public int StatusIndexBlock { get; set; } = 256;
}

/// <summary>Bounds of a Comprehensive Learner Record (<c>POST /clrs</c>, docs/clr.md).</summary>
internal sealed class ClrOptions
{
    /// <summary>Most credentials one CLR embeds (1–10,000).</summary>
    public int MaxCredentials { get; set; } = 1000;

    /// <summary>Most bytes of embedded credentials (the UTF-8 of their signed JSON) in one CLR.</summary>
    public int MaxBytes { get; set; } = 16 * 1024 * 1024;
}

/// <summary>
/// Pathways (stackable credentials, section <c>BadgeIssuer:Pathways</c>): bounds on what an achievement may declare as its
/// parts, and the switches for awarding a pathway achievement automatically (docs/pathways.md).
/// </summary>
internal sealed class PathwayOptions
{
    /// <summary>Award pathway achievements that ask for it (<c>autoAward</c>) once a learner holds enough valid parts. On by default.</summary>
    public bool AutoAward { get; set; } = true;

    /// <summary>Issuers (ids or slugs) whose pathway achievements are never awarded automatically, whatever they ask.</summary>
    public List<string> AutoAwardDisabledIssuers { get; set; } = [];

    /// <summary>Most parts one pathway names (1–200).</summary>
    public int MaxParts { get; set; } = 32;

    /// <summary>Most levels of pathways inside pathways: 1 means parts are never pathways themselves (1–8).</summary>
    public int MaxDepth { get; set; } = 3;

    /// <summary>Most pathways one achievement may be a part of (1–200).</summary>
    public int MaxPartOf { get; set; } = 16;

    /// <summary>
    /// Most composite credentials one award issues, across every level (1–200); a learner's further completed pathways
    /// are awarded at their next award of a part. Bounds the signing one request can set off.
    /// </summary>
    public int MaxCompositesPerAward { get; set; } = 16;

    /// <summary>Whether the issuer (<paramref name="issuerId"/>, <paramref name="slug"/>) has automatic pathway awards.</summary>
    public bool AutoAwardsFor(string issuerId, string slug) =>
        AutoAward && !AutoAwardDisabledIssuers.Any(i => string.Equals(i, issuerId, StringComparison.Ordinal) || string.Equals(i, slug, StringComparison.Ordinal));
}

/// <summary>Where online backups of the SQLite database go (section <c>BadgeIssuer:Backup</c>).</summary>
internal sealed class BackupOptions
{
    /// <summary>
    /// Directory for <c>POST /admin/backup</c> files (created owner-only when missing); default <c>&lt;DataDirectory&gt;/backups</c>.
    /// Copy the files elsewhere (another disk or host); the key-encryption key is never written here.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>
    /// How many backup files (<c>badgeissuer-*.db</c>) the directory keeps: after each backup the oldest beyond this
    /// number are deleted, so repeated calls cannot fill the disk. 1–1000.
    /// </summary>
    public int Keep { get; set; } = 10;
}

internal sealed class BootstrapOptions
{
    /// <summary>
    /// The first admin API key (for automation); generated and printed once when not set. At every start a configured
    /// key the database does not know is registered as an admin key (recovery: configure a new value).
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// At start, clear the revocation of the configured <see cref="ApiKey"/> when it is a revoked bootstrap admin key
    /// (recovery with the same value). Off by default: a revoked bootstrap key stays revoked across restarts, since it
    /// may have been revoked because it leaked. Remove the setting once recovered.
    /// </summary>
    public bool RestoreRevokedApiKey { get; set; }

    /// <summary><c>web</c> (did:web hosted here, default) or <c>key</c>.</summary>
    public string IssuerDidMethod { get; set; } = "web";

    /// <summary>
    /// <c>Ed25519</c> (default: eddsa-rdfc-2022, EdDSA/RS256 JWTs) or <c>P-256</c> (ecdsa-rdfc-2019, ES256 JWTs): the
    /// first issuer's key type.
    /// </summary>
    public string IssuerKeyType { get; set; } = "Ed25519";

    public string IssuerName { get; set; } = "BadgeIssuer Development Issuer";

    public string IssuerSlug { get; set; } = "default";
}

/// <summary>OAuth 2.0 client credentials (<c>POST /oauth/token</c>) and the access tokens it issues.</summary>
internal sealed class OAuthOptions
{
    /// <summary>Access token lifetime (<c>expires_in</c>), 60 s to 1 day.</summary>
    public int AccessTokenLifetimeSeconds { get; set; } = 600;

    /// <summary>The <c>aud</c> of access tokens, checked on use; default: the public base URL.</summary>
    public string? Audience { get; set; }

    /// <summary>Tolerance for <c>exp</c>, <c>nbf</c> and <c>iat</c> between instances' clocks, 0 to 300 s.</summary>
    public int ClockSkewSeconds { get; set; } = 30;
}

/// <summary>HTTPS redirection and HSTS for deployments behind TLS; both off by default (the dev service is plain HTTP on loopback).</summary>
internal sealed class HttpsOptions
{
    /// <summary>Answer plain-HTTP requests with a 308 to https (health probes excepted).</summary>
    public bool Redirect { get; set; }

    /// <summary>The https port redirects point to.</summary>
    public int Port { get; set; } = 443;

    /// <summary>Send <c>Strict-Transport-Security</c> on https responses (never on plain HTTP, nor for localhost).</summary>
    public bool Hsts { get; set; }

    /// <summary>HSTS <c>max-age</c>; default one year.</summary>
    public int HstsMaxAgeSeconds { get; set; } = 31_536_000;

    public bool HstsIncludeSubDomains { get; set; }

    public bool HstsPreload { get; set; }
}

/// <summary>
/// Behind a reverse proxy: take the client address and scheme from <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c>,
/// but only from the listed proxies (default: loopback).
/// </summary>
internal sealed class ForwardedHeadersSettings
{
    public bool Enabled { get; set; }

    /// <summary>Proxy addresses whose forwarded headers are believed.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Proxy networks (CIDR, e.g. 10.0.0.0/8) whose forwarded headers are believed.</summary>
    public List<string> KnownNetworks { get; set; } = [];
}

internal sealed class BadgeIssuerOptionsValidator : IValidateOptions<BadgeIssuerOptions>
{
    public ValidateOptionsResult Validate(string? name, BadgeIssuerOptions options)
    {
        var failures = new List<string>();
        if (options.PublicBaseUrl is { Length: > 0 } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https") || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0))
        {
            failures.Add("BadgeIssuer:PublicBaseUrl must be an absolute http(s) URL without user info, query or fragment.");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("BadgeIssuer:DataDirectory must not be empty.");
        }

        if (options.Backup.Keep is < 1 or > 1000)
        {
            failures.Add("BadgeIssuer:Backup:Keep must be between 1 and 1000.");
        }

        if (options.Bootstrap.ApiKey is { } key && (key.Length < 24 || key.Length > 256 || key.Any(char.IsWhiteSpace)))
        {
            failures.Add("BadgeIssuer:Bootstrap:ApiKey must be 24 to 256 characters without whitespace.");
        }
        else if (options.Bootstrap.ApiKey is { } jwtLike && AccessTokens.LooksLikeJwt(jwtLike))
        {
            // Bearer credentials shaped like a JWS are checked as access tokens, never looked up as keys.
            failures.Add("BadgeIssuer:Bootstrap:ApiKey must not look like a JWT (eyJ… with two dots).");
        }

        if (options.Bootstrap.IssuerDidMethod is not ("web" or "key"))
        {
            failures.Add("BadgeIssuer:Bootstrap:IssuerDidMethod must be 'web' or 'key'.");
        }

        if (options.Bootstrap.IssuerKeyType is not ("Ed25519" or "P-256"))
        {
            failures.Add("BadgeIssuer:Bootstrap:IssuerKeyType must be 'Ed25519' or 'P-256'.");
        }
        else
        {
            try
            {
                if (!options.IssuerKeyTypeEnabled(options.Bootstrap.IssuerKeyType))
                {
                    failures.Add($"BadgeIssuer:Bootstrap:IssuerKeyType {options.Bootstrap.IssuerKeyType} needs a cryptosuite that signs with it in BadgeIssuer:Cryptosuites (listed: {string.Join(", ", options.Cryptosuites)}).");
                }
            }
            catch (ArgumentException ex)
            {
                failures.Add($"BadgeIssuer:Cryptosuites: {ex.Message.Split(" (Parameter", 2)[0]}");
            }
        }

        if (!Slugs.IsValid(options.Bootstrap.IssuerSlug))
        {
            failures.Add("BadgeIssuer:Bootstrap:IssuerSlug must be 1-64 of a-z, 0-9 and '-'.");
        }

        if (options.MaxBatchSize is < 1 or > 10_000)
        {
            failures.Add("BadgeIssuer:MaxBatchSize must be between 1 and 10000.");
        }

        if (options.MaxRequestBytes is < 4096 || options.MaxBatchRequestBytes < options.MaxRequestBytes)
        {
            failures.Add("BadgeIssuer:MaxRequestBytes must be at least 4096 and at most MaxBatchRequestBytes.");
        }

        if (options.StatusListTtlSeconds is < 0 or > 86_400 * 30)
        {
            failures.Add("BadgeIssuer:StatusListTtlSeconds must be between 0 and 2592000.");
        }

        if (options.StatusListLength < 131_072 || options.StatusListLength % 8 != 0 || options.StatusListLength > 8 * 16 * 1024 * 1024)
        {
            failures.Add("BadgeIssuer:StatusListLength must be a multiple of 8 between 131072 and 134217728 (W3C minimum for herd privacy).");
        }

        if (options.Clr.MaxCredentials is < 1 or > 10_000)
        {
            failures.Add("BadgeIssuer:Clr:MaxCredentials must be between 1 and 10000.");
        }

        if (options.Clr.MaxBytes is < 65_536 or > 256 * 1024 * 1024)
        {
            failures.Add("BadgeIssuer:Clr:MaxBytes must be between 65536 and 268435456.");
        }

        if (options.Pathways.MaxParts is < 1 or > 200)
        {
            failures.Add("BadgeIssuer:Pathways:MaxParts must be between 1 and 200.");
        }

        if (options.Pathways.MaxDepth is < 1 or > 8)
        {
            failures.Add("BadgeIssuer:Pathways:MaxDepth must be between 1 and 8.");
        }

        if (options.Pathways.MaxPartOf is < 1 or > 200)
        {
            failures.Add("BadgeIssuer:Pathways:MaxPartOf must be between 1 and 200.");
        }

        if (options.Pathways.MaxCompositesPerAward is < 1 or > 200)
        {
            failures.Add("BadgeIssuer:Pathways:MaxCompositesPerAward must be between 1 and 200.");
        }

        if (options.StatusIndexBlock is < 1 or > 4096)
        {
            failures.Add("BadgeIssuer:StatusIndexBlock must be between 1 and 4096.");
        }

        if (options.KeyEncryptionKey is { } kek && !KeyVault.TryDecodeKek(kek, out _))
        {
            failures.Add("BadgeIssuer:KeyEncryptionKey must be the base64 of 32 bytes.");
        }

        if (options.RecipientLookupKey is { } lookup && !KeyVault.TryDecodeKek(lookup, out _))
        {
            failures.Add("BadgeIssuer:RecipientLookupKey must be the base64 of 32 bytes.");
        }

        if (options.PreviousKeyEncryptionKeys.Any(previous => !KeyVault.TryDecodeKek(previous, out _)))
        {
            failures.Add("Every BadgeIssuer:PreviousKeyEncryptionKeys entry must be the base64 of 32 bytes.");
        }

        if (options.OAuth.AccessTokenLifetimeSeconds is < 60 or > 86_400)
        {
            failures.Add("BadgeIssuer:OAuth:AccessTokenLifetimeSeconds must be between 60 and 86400.");
        }

        if (options.OAuth.ClockSkewSeconds is < 0 or > 300)
        {
            failures.Add("BadgeIssuer:OAuth:ClockSkewSeconds must be between 0 and 300.");
        }

        if (options.OAuth.Audience is { } audience && (audience.Length is 0 or > 256 || audience.Any(char.IsWhiteSpace)))
        {
            failures.Add("BadgeIssuer:OAuth:Audience must be 1-256 characters without whitespace.");
        }

        if (options.Https.Port is < 1 or > 65_535)
        {
            failures.Add("BadgeIssuer:Https:Port must be between 1 and 65535.");
        }

        if (options.Https.HstsMaxAgeSeconds < 0)
        {
            failures.Add("BadgeIssuer:Https:HstsMaxAgeSeconds must not be negative.");
        }

        foreach (string proxy in options.ForwardedHeaders.KnownProxies)
        {
            if (!System.Net.IPAddress.TryParse(proxy, out _))
            {
                failures.Add($"BadgeIssuer:ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address.");
            }
        }

        foreach (string network in options.ForwardedHeaders.KnownNetworks)
        {
            if (!System.Net.IPNetwork.TryParse(network, out _))
            {
                failures.Add($"BadgeIssuer:ForwardedHeaders:KnownNetworks: '{network}' is not a CIDR network (e.g. 10.0.0.0/8).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Issuer slugs: lower-case URL path segments.</summary>
internal static class Slugs
{
    private static readonly System.Buffers.SearchValues<char> s_allowed = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");

    public static bool IsValid(string? slug) =>
        slug is { Length: >= 1 and <= 64 } && slug.AsSpan().IndexOfAnyExcept(s_allowed) < 0 && slug[0] != '-';
}
