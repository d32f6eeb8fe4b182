using System.Text;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.StatusList;

namespace BadgeIssuer.Core.Issuance;

/// <summary>
/// The status list family: builds an issuer's <c>BitstringStatusListCredential</c> (SL-3) from its stored bits and
/// signs it through <see cref="CredentialSigning"/>, as Data Integrity JSON (eddsa-rdfc-2022, <c>created</c> = the
/// list's <c>validFrom</c>) or as a VC-JWT (<see cref="CredentialSigning.DefaultJwtAlgorithm"/>). A status list is not
/// an <see cref="ICredentialTemplate"/>: it has no status entries of its own and its id is the list's URL.
/// </summary>
public static class StatusListCredentialIssuer
{
    /// <summary>
    /// The unsigned credential for <paramref name="list"/>: <c>validFrom</c> is the time of the list's last change in
    /// whole seconds (<see cref="CredentialSigning.WholeSeconds"/>), so a verifier can tell how fresh it is.
    /// </summary>
    /// <param name="listUrl">The list's URL: the credential id and every entry's <c>statusListCredential</c>.</param>
    /// <param name="issuerId">The issuer's DID.</param>
    /// <param name="purpose">The list's one status purpose.</param>
    /// <param name="list">The bits.</param>
    /// <param name="lastChanged">When the list last changed.</param>
    /// <param name="ttlMilliseconds">The cache hint (§2.2 <c>ttl</c>), in milliseconds.</param>
    public static BitstringStatusListCredential Build(string listUrl, string issuerId, StatusPurpose purpose, BitstringStatusList list, DateTimeOffset lastChanged, long? ttlMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(list);
        return new BitstringStatusListCredential(listUrl, issuerId, [purpose.ToSpecString()], list.Encode())
        {
            ValidFrom = CredentialSigning.WholeSeconds(lastChanged),
            StatusSize = list.StatusSize == 1 ? null : list.StatusSize,
            Ttl = ttlMilliseconds,
        };
    }

    /// <summary>
    /// Signs <paramref name="credential"/> (nothing is checked beyond signing: the service wrote it) and returns the
    /// published body: the Data Integrity credential as UTF-8 JSON, or the compact JWS as ASCII bytes.
    /// </summary>
    /// <param name="credential">The unsigned credential (<see cref="Build"/>); it must have a <c>validFrom</c>.</param>
    /// <param name="jwt">True for a VC-JWT, false for Data Integrity.</param>
    /// <param name="ed25519">The issuer's Ed25519 key (the Data Integrity proof).</param>
    /// <param name="ed25519MethodId">Its verification method id.</param>
    /// <param name="edDsaJwt">The issuer's EdDSA JWT signer.</param>
    /// <param name="rs256Jwt">The issuer's RS256 JWT signer, when it has an RSA key (then preferred).</param>
    /// <exception cref="InvalidOperationException">Signing failed (the credential or the key is broken).</exception>
    public static byte[] Sign(BitstringStatusListCredential credential, bool jwt, SigningKey ed25519, string ed25519MethodId, VcJwtSigner edDsaJwt, VcJwtSigner? rs256Jwt)
    {
        ArgumentNullException.ThrowIfNull(credential);
        DateTimeOffset created = credential.ValidFrom ?? throw new ArgumentException("The status list credential has no validFrom.", nameof(credential));
        SigningOutcome outcome = CredentialSigning.Sign(credential.ToUtf8Json(), new CredentialSigningOptions
        {
            Format = jwt ? SecuringFormat.Jwt : SecuringFormat.DataIntegrity,
            Checks = CredentialChecks.None,
            DataIntegrityKey = ed25519,
            Proof = jwt ? null : CredentialSigning.ProofOptionsFor(ed25519, ed25519MethodId, created),
            EdDsaJwt = edDsaJwt,
            Rs256Jwt = rs256Jwt,
        });
        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException($"The status list credential '{credential.Id}' could not be signed ({outcome.Failure}).", outcome.Exception);
        }

        return jwt ? Encoding.ASCII.GetBytes(outcome.Jwt!) : outcome.DataIntegrity!;
    }
}
