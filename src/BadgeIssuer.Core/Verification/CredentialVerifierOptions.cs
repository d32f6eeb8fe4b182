using BadgeIssuer.Core.Identifiers;

namespace BadgeIssuer.Core.Verification;

/// <summary>Supplies status list credentials (signed <c>BitstringStatusListCredential</c> JSON) by URL.</summary>
public interface IStatusListCredentialSource
{
    /// <summary>Returns the UTF-8 JSON of the list credential at <paramref name="url"/>, or null when unavailable.</summary>
    ValueTask<ReadOnlyMemory<byte>?> GetAsync(string url, CancellationToken cancellationToken = default);
}

/// <summary>An <see cref="IStatusListCredentialSource"/> over a fixed URL → JSON map (local lists, tests, the CLI).</summary>
public sealed class InMemoryStatusListSource : IStatusListCredentialSource
{
    private readonly Dictionary<string, ReadOnlyMemory<byte>> _lists = new(StringComparer.Ordinal);

    public InMemoryStatusListSource Add(string url, ReadOnlyMemory<byte> listCredentialJson)
    {
        ArgumentNullException.ThrowIfNull(url);
        _lists[url] = listCredentialJson;
        return this;
    }

    public ValueTask<ReadOnlyMemory<byte>?> GetAsync(string url, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_lists.TryGetValue(url, out ReadOnlyMemory<byte> json) ? json : (ReadOnlyMemory<byte>?)null);
}

/// <summary>Options for <see cref="CredentialVerifier"/>.</summary>
public sealed class CredentialVerifierOptions
{
    /// <summary>Largest input accepted (a baked image can be large; JSON and JWT are far smaller).</summary>
    public int MaxInputBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Largest credential JSON accepted after unbaking.</summary>
    public int MaxCredentialBytes { get; init; } = 1024 * 1024;

    public int MaxJsonDepth { get; init; } = 64;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Tolerance for validFrom/validUntil and JWT nbf/exp.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Finds verification methods. Default: did:key and did:jwk (self-certifying), plus keys taken from a
    /// <c>z6Mk…</c> fragment of an https method, reported as "issuer not authenticated" (DIGEST KEY-5).
    /// </summary>
    public IVerificationMethodResolver Resolver { get; init; } = CompositeVerificationMethodResolver.CreateDefault(allowUnverifiedFragmentKeys: true);

    /// <summary>
    /// Accept a signature whose key only names the issuer — a key taken from a <c>z6Mk…</c> fragment of an https
    /// verification method, or a VC-JWT's embedded <c>jwk</c> — as a warning. Off by default: such a key proves
    /// that someone signed, not that the issuer did (DIGEST KEY-5, T-12), so the <c>issuer-key</c> step fails and
    /// the credential is not verified. Authenticated keys are did:key/did:jwk and locally registered key documents.
    /// </summary>
    public bool AllowUnauthenticatedIssuerKeys { get; init; }

    /// <summary>Source of status list credentials; null reports the status step as skipped.</summary>
    public IStatusListCredentialSource? StatusLists { get; init; }

    /// <summary>Optional recipient check: an email address or id expected to be the credential subject.</summary>
    public string? ExpectedRecipient { get; init; }
}
