using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Tests.DataIntegrity;

/// <summary>
/// Test resolver: takes the Ed25519 key from a did:key or from a <c>z6Mk…</c> fragment of the verification method,
/// as the 1EdTech validator does for the published examples (which have no key documents). Controller = the part
/// before '#'. Not a trust decision: tests only.
/// </summary>
internal sealed class FragmentKeyResolver : IProofKeyResolver
{
    public ResolvedProofKey? Resolve(string verificationMethod, string proofPurpose)
    {
        int hash = verificationMethod.IndexOf('#', StringComparison.Ordinal);
        string controller = hash < 0 ? verificationMethod : verificationMethod[..hash];
        string multibase = hash >= 0
            ? verificationMethod[(hash + 1)..]
            : verificationMethod.StartsWith("did:key:", StringComparison.Ordinal) ? verificationMethod["did:key:".Length..] : string.Empty;
        byte[]? key = DecodeEd25519Multikey(multibase);
        return key is null ? null : new ResolvedProofKey(key, controller, AuthorizedForPurpose: true);
    }

    public static byte[]? DecodeEd25519Multikey(string multibase)
    {
        var key = new byte[32];
        return Multikey.TryDecodeEd25519PublicKey(multibase, key) == KeyFormatError.None ? key : null;
    }
}
