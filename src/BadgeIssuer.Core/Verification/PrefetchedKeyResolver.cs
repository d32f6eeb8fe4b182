using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;

namespace BadgeIssuer.Core.Verification;

/// <summary>
/// Verification methods resolved ahead of the (synchronous) proof check, shared by the credential and presentation
/// verifiers. A key counts as authorized only for the proof purposes the verifier accepts (<c>assertionMethod</c>
/// and/or <c>authentication</c>) and only when its document lists it under that relationship.
/// </summary>
internal sealed class PrefetchedKeyResolver(VerificationRelationships acceptedPurposes) : IProofKeyResolver
{
    private readonly Dictionary<string, VerificationMethodResolution> _resolved = new(StringComparer.Ordinal);

    public bool Contains(string vm) => _resolved.ContainsKey(vm);

    public void Add(string vm, VerificationMethodResolution resolution) => _resolved[vm] = resolution;

    public ResolvedVerificationMethod? Method(string vm) => _resolved.TryGetValue(vm, out VerificationMethodResolution? r) ? r.Method : null;

    public string Error(string vm) => _resolved.TryGetValue(vm, out VerificationMethodResolution? r)
        ? $"{r.Error}{(r.Detail is null ? string.Empty : ": " + r.Detail)}"
        : "not resolved";

    public ResolvedProofKey? Resolve(string verificationMethod, string proofPurpose)
    {
        if (Method(verificationMethod) is not ResolvedVerificationMethod vm)
        {
            return null;
        }

        VerificationRelationships relationship = proofPurpose switch
        {
            "assertionMethod" => VerificationRelationships.AssertionMethod,
            "authentication" => VerificationRelationships.Authentication,
            _ => VerificationRelationships.None,
        };
        bool authorized = relationship != VerificationRelationships.None
            && (acceptedPurposes & relationship) == relationship
            && vm.IsAuthorizedFor(relationship);
        // The key as resolved, of any type: each cryptosuite checks the type it needs.
        return new ResolvedProofKey(vm.PublicKey, vm.Controller, authorized);
    }
}
