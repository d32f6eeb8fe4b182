namespace BadgeIssuer.Core.DataIntegrity;

/// <summary>Why a Data Integrity proof did not verify (VC Data Integrity 1.0 section 7.2 and the cryptosuite's errors).</summary>
public enum ProofFailure
{
    None,

    /// <summary>The document has no <c>proof</c>.</summary>
    MissingProof,

    /// <summary>The proof is not an object, or a required member (type, verificationMethod, proofPurpose, proofValue) is missing or not a string.</summary>
    MalformedProof,

    /// <summary>The proof type or cryptosuite is not one this verifier implements.</summary>
    UnsupportedCryptosuite,

    /// <summary><c>created</c> or <c>expires</c> is not a valid xsd:dateTime.</summary>
    InvalidProofDate,

    /// <summary>The signature member (<c>proofValue</c>, <c>jws</c>) is not the suite's encoding of a signature of the right length.</summary>
    InvalidProofValue,

    /// <summary>The proof purpose is not the expected one.</summary>
    ProofPurposeMismatch,

    /// <summary>JSON-LD processing or RDFC-1.0 failed (unknown context, undefined term in safe mode, work limit...).</summary>
    CanonicalizationFailed,

    /// <summary>The verification method could not be resolved to a public key.</summary>
    VerificationMethodNotFound,

    /// <summary>The verification method is not authorized for the proof purpose by its controller document.</summary>
    VerificationMethodNotAuthorized,

    /// <summary>The verification method's controller is not the credential's issuer.</summary>
    ControllerMismatch,

    /// <summary>The signature does not verify.</summary>
    SignatureInvalid,

    /// <summary>A <c>previousProof</c> names a proof that is not in the document.</summary>
    PreviousProofMissing,

    /// <summary>The verification method's key is not of a type (or curve) the proof's cryptosuite verifies with.</summary>
    WrongKeyType,
}

/// <summary>The outcome of verifying one proof.</summary>
public sealed record ProofVerificationResult
{
    public required bool Verified { get; init; }

    public ProofFailure Failure { get; init; }

    /// <summary>A human-readable reason (never contains key material).</summary>
    public string? Message { get; init; }

    public string? ProofType { get; init; }

    public string? Cryptosuite { get; init; }

    public string? VerificationMethod { get; init; }

    public string? ProofPurpose { get; init; }

    /// <summary>The controller of the verification method, when it was resolved.</summary>
    public string? Controller { get; init; }

    internal static ProofVerificationResult Fail(ProofFailure failure, string message, ProofDescription? proof = null)
        => new()
        {
            Verified = false,
            Failure = failure,
            Message = message,
            ProofType = proof?.Type,
            Cryptosuite = proof?.Cryptosuite,
            VerificationMethod = proof?.VerificationMethod,
            ProofPurpose = proof?.ProofPurpose,
        };
}

/// <summary>The descriptive members of a proof, as read from the document.</summary>
internal sealed record ProofDescription(string? Type, string? Cryptosuite, string? VerificationMethod, string? ProofPurpose, string? Id, string? PreviousProof);
