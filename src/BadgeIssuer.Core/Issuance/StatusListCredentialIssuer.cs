using System.Text;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.StatusList;

namespace BadgeIssuer.Core.Issuance;

/// <summary>
/// The status list family: builds an issuer's <c>BitstringStatusListCredential</c> (SL-3) from its stored bits and
/// signs it through <see cref="CredentialSigning"/>, as Data Integrity JSON (eddsa-rdfc-2022 or, with a P-256 key,
/// ecdsa-rdfc-2019; <c>created</c> = the list's <c>validFrom</c>) or as a VC-JWT (RS256 when there is an RSA signer,
/// else the key's EdDSA or ES256). A status list is not
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
    /// <param name="key">The issuer's Data Integrity key: Ed25519 (eddsa-rdfc-2022) or P-256 (ecdsa-rdfc-2019).</param>
    /// <param name="methodId">Its verification method id.</param>
    /// <param name="keyJwt">The JWT signer of that key (EdDSA or ES256).</param>
    /// <param name="rs256Jwt">The issuer's RS256 JWT signer, when it has an RSA key (then preferred).</param>
    /// <exception cref="InvalidOperationException">Signing failed (the credential or the key is broken).</exception>
    public static byte[] Sign(BitstringStatusListCredential credential, bool jwt, SigningKey key, string methodId, VcJwtSigner keyJwt, VcJwtSigner? rs256Jwt)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(keyJwt);
        DateTimeOffset created = credential.ValidFrom ?? throw new ArgumentException("The status list credential has no validFrom.", nameof(credential));
        SigningOutcome outcome = CredentialSigning.Sign(credential.ToUtf8Json(), new CredentialSigningOptions
        {
            Format = jwt ? SecuringFormat.Jwt : SecuringFormat.DataIntegrity,
            Checks = CredentialChecks.None,
            DataIntegrityKey = key,
            Proof = jwt ? null : CredentialSigning.ProofOptionsFor(key, methodId, created),
            EdDsaJwt = keyJwt.Algorithm == JwsAlgorithms.EdDsa ? keyJwt : null,
            Es256Jwt = keyJwt.Algorithm == JwsAlgorithms.ES256 ? keyJwt : null,
            Rs256Jwt = rs256Jwt,
        });
        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException($"The status list credential '{credential.Id}' could not be signed ({outcome.Failure}).", outcome.Exception);
        }

        return jwt ? Encoding.ASCII.GetBytes(outcome.Jwt!) : outcome.DataIntegrity!;
    }
}
