namespace BadgeIssuer.Core.Model;

/// <summary>
/// The JSON-LD context URLs the service writes into credentials and documents: the one public home for them (builders,
/// templates, the Api's request checks). The verifier keeps its own accepted-context lists.
/// </summary>
public static class ContextUrls
{
    /// <summary>The VC Data Model 1.1 base context.</summary>
    public const string CredentialsV1 = "https://www.w3.org/2018/credentials/v1";

    /// <summary>The VC Data Model 2.0 base context.</summary>
    public const string CredentialsV2 = "https://www.w3.org/ns/credentials/v2";

    /// <summary>The Open Badges 3.0 context the service writes (3.0.3).</summary>
    public const string OpenBadgesV3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

    /// <summary>The Comprehensive Learner Record 2.0 context the service writes (2.0.1).</summary>
    public const string ClrV2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json";

    /// <summary>The 1EdTech extensions context (credentialSchema's validator type, revocation list, refresh).</summary>
    public const string OpenBadgesExtensions = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json";

    /// <summary>The Data Integrity context a VC 1.1 credential needs for its proof's terms.</summary>
    public const string DataIntegrityV2 = "https://w3id.org/security/data-integrity/v2";
}
