using BadgeIssuer.JsonLd.Canonicalization;
using BadgeIssuer.JsonLd.Rdf;
using BenchmarkDotNet.Attributes;

namespace BadgeIssuer.Benchmarks;

/// <summary>RDFC-1.0 on a hand-written OB 3.0-shaped credential (36 quads, 7 blank nodes, one proof graph) and a symmetric graph.</summary>
[MemoryDiagnoser]
public class RdfcBenchmarks
{
    private const string Credential =
          "<urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .\n"
        + "<urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential> .\n"
        + "<urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5> <https://schema.org/name> \"Teamwork Badge\" .\n"
        + "<urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5> <https://www.w3.org/2018/credentials#credentialSubject> _:b0 .\n"
        + "<urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5> <https://www.w3.org/2018/credentials#issuer> <https://example.com/issuers/876543> .\n"
        + "<urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5> <https://www.w3.org/2018/credentials#validFrom> \"2010-01-01T00:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n"
        + "<urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5> <https://www.w3.org/2018/credentials#credentialStatus> _:b4 .\n"
        + "<urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5> <https://w3id.org/security#proof> _:b5 .\n"
        + "_:b0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementSubject> .\n"
        + "_:b0 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement> <https://example.com/achievements/21st-century-skills/teamwork> .\n"
        + "_:b0 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#identifier> _:b1 .\n"
        + "_:b1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#IdentityObject> .\n"
        + "_:b1 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#hashed> \"true\"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n"
        + "_:b1 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#identityHash> \"sha256$c7ef86405ba71b85acd8e2e95166c4b111448089f2e1599f42fe1bba46e865c5\" .\n"
        + "_:b1 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#identityType> \"emailAddress\" .\n"
        + "_:b1 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#salt> \"not-used\" .\n"
        + "<https://example.com/achievements/21st-century-skills/teamwork> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement> .\n"
        + "<https://example.com/achievements/21st-century-skills/teamwork> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Criteria> _:b2 .\n"
        + "<https://example.com/achievements/21st-century-skills/teamwork> <https://schema.org/description> \"This badge recognizes the development of the capacity to collaborate within a group environment.\" .\n"
        + "<https://example.com/achievements/21st-century-skills/teamwork> <https://schema.org/name> \"Teamwork\" .\n"
        + "<https://example.com/achievements/21st-century-skills/teamwork> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#image> _:b3 .\n"
        + "<https://example.com/achievements/21st-century-skills/teamwork> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievementType> \"Badge\" .\n"
        + "_:b2 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative> \"Team members are nominated for this badge by their peers and recognized upon review by Example Corp management.\" .\n"
        + "_:b3 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Image> .\n"
        + "_:b3 <https://schema.org/caption> \"Teamwork badge image\" .\n"
        + "<https://example.com/issuers/876543> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Profile> .\n"
        + "<https://example.com/issuers/876543> <https://schema.org/name> \"Example Corp\" .\n"
        + "<https://example.com/issuers/876543> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#email> \"info@example.com\" .\n"
        + "_:b4 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/ns/credentials/status#BitstringStatusListEntry> .\n"
        + "_:b4 <https://www.w3.org/ns/credentials/status#statusListIndex> \"94567\" .\n"
        + "_:b4 <https://www.w3.org/ns/credentials/status#statusPurpose> \"revocation\" .\n"
        + "_:b6 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/security#DataIntegrityProof> _:b5 .\n"
        + "_:b6 <http://purl.org/dc/terms/created> \"2024-03-01T00:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> _:b5 .\n"
        + "_:b6 <https://w3id.org/security#cryptosuite> \"eddsa-rdfc-2022\"^^<https://w3id.org/security#cryptosuiteString> _:b5 .\n"
        + "_:b6 <https://w3id.org/security#proofPurpose> <https://w3id.org/security#assertionMethod> _:b5 .\n"
        + "_:b6 <https://w3id.org/security#verificationMethod> <https://example.com/issuers/876543#key-1> _:b5 .\n";

    private readonly string _credentialText = Credential;
    private readonly RdfDataset _credential = NQuads.Parse(Credential);
    private readonly RdfDataset _cycle = CreateSymmetricCycle(6);

    [Benchmark]
    public string Canonicalize_credential() => RdfCanonicalizer.CanonicalizeToNQuads(_credential);

    [Benchmark]
    public string Canonicalize_symmetric_6_cycle() => RdfCanonicalizer.CanonicalizeToNQuads(_cycle);

    [Benchmark]
    public RdfDataset Parse_credential() => NQuads.Parse(_credentialText);

    private static RdfDataset CreateSymmetricCycle(int nodes)
    {
        var dataset = new RdfDataset();
        for (int i = 0; i < nodes; i++)
        {
            dataset.Add(new RdfQuad(
                RdfTerm.BlankNode("n" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                RdfTerm.Iri("urn:ex:next"),
                RdfTerm.BlankNode("n" + ((i + 1) % nodes).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        return dataset;
    }
}
