namespace BadgeIssuer.Core.Issuance;

/// <summary>How to secure a credential.</summary>
public enum SecuringFormat
{
    /// <summary>Data Integrity proof, eddsa-rdfc-2022.</summary>
    DataIntegrity,

    /// <summary>VC-JWT (VC-JOSE), RS256 unless another alg is asked.</summary>
    Jwt,

    /// <summary>Both: one stored credential with a Data Integrity JSON and a JWT form.</summary>
    Both,
}
