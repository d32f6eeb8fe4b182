using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Wallet;

/// <summary>Credential offers and the OpenID4VCI issuer (configuration section <c>BadgeIssuer:Wallet</c>).</summary>
internal sealed class WalletOptions
{
    public const string Section = "BadgeIssuer:Wallet";

    /// <summary>How long an offer (its URL and pre-authorized code) can be redeemed, 60 s to 30 days.</summary>
    public int OfferLifetimeSeconds { get; set; } = 86_400;

    /// <summary>Wrong transaction codes before an offer locks for good, 1 to 10.</summary>
    public int MaxTxCodeAttempts { get; set; } = 5;

    /// <summary>Digits of a generated transaction code when the request names no length, 4 to 8.</summary>
    public int TxCodeLength { get; set; } = 6;

    /// <summary>Lifetime of an OpenID4VCI access token (<c>expires_in</c>), 30 to 600 s.</summary>
    public int AccessTokenLifetimeSeconds { get; set; } = 300;

    /// <summary>Lifetime of a <c>c_nonce</c> from the nonce endpoint, 30 to 600 s.</summary>
    public int NonceLifetimeSeconds { get; set; } = 300;

    /// <summary>Oldest key proof accepted (its <c>iat</c>), 30 to 600 s.</summary>
    public int ProofMaxAgeSeconds { get; set; } = 300;

    /// <summary>How far ahead of this server's clock a proof's <c>iat</c> may be, 0 to 300 s.</summary>
    public int ProofClockSkewSeconds { get; set; } = 60;

    /// <summary>
    /// How long the challenge of a VC-API exchange's presentation request stays good (the wallet's DIDAuthentication
    /// presentation must arrive within it), 60 to 3600 s.
    /// </summary>
    public int ExchangeChallengeLifetimeSeconds { get; set; } = 600;

    /// <summary>Most offers listed by <c>GET /credentials/{id}/offers</c> (newest first), 1 to 1000.</summary>
    public int MaxOffersListed { get; set; } = 100;
}

internal sealed class WalletOptionsValidator : IValidateOptions<WalletOptions>
{
    public ValidateOptionsResult Validate(string? name, WalletOptions options)
    {
        var failures = new List<string>();
        Check(options.OfferLifetimeSeconds is >= 60 and <= 30 * 86_400, "OfferLifetimeSeconds must be between 60 and 2592000.");
        Check(options.MaxTxCodeAttempts is >= 1 and <= 10, "MaxTxCodeAttempts must be between 1 and 10.");
        Check(options.TxCodeLength is >= 4 and <= 8, "TxCodeLength must be between 4 and 8.");
        Check(options.AccessTokenLifetimeSeconds is >= 30 and <= 600, "AccessTokenLifetimeSeconds must be between 30 and 600.");
        Check(options.NonceLifetimeSeconds is >= 30 and <= 600, "NonceLifetimeSeconds must be between 30 and 600.");
        Check(options.ProofMaxAgeSeconds is >= 30 and <= 600, "ProofMaxAgeSeconds must be between 30 and 600.");
        Check(options.ProofClockSkewSeconds is >= 0 and <= 300, "ProofClockSkewSeconds must be between 0 and 300.");
        Check(options.ExchangeChallengeLifetimeSeconds is >= 60 and <= 3600, "ExchangeChallengeLifetimeSeconds must be between 60 and 3600.");
        Check(options.MaxOffersListed is >= 1 and <= 1000, "MaxOffersListed must be between 1 and 1000.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(bool ok, string message)
        {
            if (!ok)
            {
                failures.Add(WalletOptions.Section + ":" + message);
            }
        }
    }
}
