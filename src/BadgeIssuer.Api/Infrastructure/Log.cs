namespace BadgeIssuer.Api.Infrastructure;

/// <summary>Structured log messages (source-generated). None carries key material or whole credentials.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "PublicBaseUrl {BaseUrl} is not https: did:web identifiers of issuers hosted here resolve only in this service's own verifier. Set BadgeIssuer__PublicBaseUrl to the public https origin in production.")]
    public static partial void BaseUrlNotHttps(ILogger logger, string baseUrl);

    [LoggerMessage(2, LogLevel.Information, "Created issuer {IssuerId} and an admin API key; details in {Path}.")]
    public static partial void Bootstrapped(ILogger logger, string issuerId, string path);

    [LoggerMessage(3, LogLevel.Information, "Registered the configured bootstrap API key.")]
    public static partial void ConfiguredKeyRegistered(ILogger logger);

    [LoggerMessage(4, LogLevel.Warning, "Generated a development key-encryption key at {Path}. For production set BadgeIssuer__KeyEncryptionKey or BadgeIssuer__KeyEncryptionKeyFile to a key kept outside the data directory.")]
    public static partial void GeneratedDevKek(ILogger logger, string path);

    [LoggerMessage(5, LogLevel.Warning, "Using the development key-encryption key in {Path}; keep production keys outside the data directory.")]
    public static partial void UsingDevKek(ILogger logger, string path);

    [LoggerMessage(6, LogLevel.Information, "Key re-wrap: {Keys} issuer keys, {Rewrapped} re-wrapped under key-encryption key {CurrentKekId}, {AlreadyCurrent} already current, {Failed} failed.")]
    public static partial void KeysRewrapped(ILogger logger, int keys, int rewrapped, int alreadyCurrent, int failed, string currentKekId);

    [LoggerMessage(7, LogLevel.Error, "Issuer key {KeyId} of {IssuerId} (key-encryption key {KekId}) was not re-wrapped: {Reason}. Configure that key as BadgeIssuer:PreviousKeyEncryptionKeys and retry POST /admin/kek/rewrap.")]
    public static partial void KeyNotRewrapped(ILogger logger, string issuerId, string keyId, string kekId, string reason);

    [LoggerMessage(8, LogLevel.Error, "Re-wrapping issuer keys at start failed; the service keeps running. Retry with POST /admin/kek/rewrap.")]
    public static partial void RewrapFailed(ILogger logger, Exception exception);

    [LoggerMessage(9, LogLevel.Error, "{Message}")]
    public static partial void KeyUnavailable(ILogger logger, string message);

    [LoggerMessage(10, LogLevel.Information, "Another instance created the first issuer at the same moment; this one uses it.")]
    public static partial void BootstrappedElsewhere(ILogger logger);

    [LoggerMessage(11, LogLevel.Warning, "The configured bootstrap API key (key {KeyId}) is revoked and stays revoked. To recover admin access set BadgeIssuer__Bootstrap__ApiKey to a new value (a new admin key is created at start), or set BadgeIssuer__Bootstrap__RestoreRevokedApiKey=true to restore this key.")]
    public static partial void ConfiguredKeyRevoked(ILogger logger, string keyId);

    [LoggerMessage(12, LogLevel.Warning, "Restored the revoked bootstrap API key {KeyId} from configuration (Bootstrap:RestoreRevokedApiKey); keys it created stay revoked. Remove the setting now.")]
    public static partial void ConfiguredKeyRestored(ILogger logger, string keyId);

    [LoggerMessage(13, LogLevel.Warning, "The configured bootstrap API key matches key {KeyId}, which is revoked but is not a bootstrap admin key; it stays revoked. Configure a new value to recover admin access.")]
    public static partial void ConfiguredKeyNotBootstrap(ILogger logger, string keyId);

    [LoggerMessage(14, LogLevel.Warning, "The request body of {Method} {Path} arrived too slowly (below the minimum data rate); answered 408.")]
    public static partial void RequestBodyTooSlow(ILogger logger, string method, string path);
}
