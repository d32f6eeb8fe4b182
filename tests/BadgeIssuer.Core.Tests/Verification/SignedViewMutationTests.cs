// A mutation suite that can fail (issue 12): signed credentials that do not verify (revoked, suspended, expired in
// VC 2.0 and VC 1.1, not yet valid, carrying endorsements that do not verify, presented in a holder-signed
// presentation) and one that does, each rewritten by every JSON rewrite of GraphPreservingRewrites at every member
// the verifier reads. The verdict never improves (a failing credential still fails, at the same step with the same
// message while its proof still verifies) and the summary never shows a value the signature does not cover (it is
// the signed credential's summary, or none when no proof verified). Each case is named after what the rewrite did
// to the signed data (keeps the graph / changes it / rejected by safe mode / refused as JSON), and the verifier must
// agree: a rewrite that keeps the graph keeps the proof valid. Some of them must: the suite is not vacuous.

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.StatusList;
using BadgeIssuer.Core.Verification;
using static BadgeIssuer.Core.Tests.Verification.ReportAssert;

namespace BadgeIssuer.Core.Tests.Verification;

public sealed class SignedViewMutationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Four short parameters (input, target, rewrite, what it does to the signed data) so that test names show them whole.
    public static TheoryData<string, string, string, string> CredentialCases => Parameters(MutationCorpus.Credentials.Values);

    public static TheoryData<string, string, string, string> PresentationCases => Parameters(MutationCorpus.Presentations.Values);

    private static TheoryData<string, string, string, string> Parameters(IEnumerable<MutationCase> cases)
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (MutationCase c in cases)
        {
            data.Add(c.Input, c.Target, c.Kind, MutationCorpus.EffectName(c.Effect));
        }

        return data;
    }

    [Fact]
    public async Task Baselines_FailAtTheExpectedStep_AndTheValidOneVerifies()
    {
        foreach (MutationInput input in MutationCorpus.Inputs)
        {
            VerificationReport report = await input.BaselineAsync(Ct);
            ProofPassed(report).Should().BeTrue(input.Name + ": " + Describe(report));
            report.Summary.Should().NotBeNull();
            if (input.FailingStep is string step)
            {
                report.Verified.Should().BeFalse(input.Name);
                report.Checks.Any(c => c.Name == step && c.Status == CheckStatus.Failed).Should().BeTrue(input.Name + ": " + Describe(report));
            }
            else
            {
                report.Verified.Should().BeTrue(input.Name + ": " + Describe(report));
            }
        }

        VerificationReport revoked = await MutationCorpus.Input("revoked").BaselineAsync(Ct);
        revoked.Summary!.Status.Should().Be(CredentialStatusState.Revoked);
        VerificationReport suspended = await MutationCorpus.Input("suspended").BaselineAsync(Ct);
        suspended.Summary!.Status.Should().Be(CredentialStatusState.Suspended);
        VerificationReport endorsed = await MutationCorpus.Input("endorsed").BaselineAsync(Ct);
        endorsed.Endorsements.Count.Should().Be(2);
        endorsed.Endorsements.Should().AllSatisfy(e => e.Report.Verified.Should().BeFalse(Describe(e.Report)));

        PresentationVerificationReport presented = await MutationCorpus.PresentationVerifier.VerifyAsync(Encoding.UTF8.GetBytes(MutationCorpus.Presentation.ToJsonString()), MutationCorpus.Challenge, null, Ct);
        presented.Checks.Single(c => c.Name == PresentationCheckNames.Proof).Status.Should().Be(CheckStatus.Passed);
        presented.Credentials.Should().ContainSingle().Which.Verified.Should().BeFalse();
        presented.Verified.Should().BeFalse();
    }

    [Fact]
    public void Rewrites_ManyKeepTheSignedGraph_SoTheSuiteIsNotVacuous()
    {
        MutationCase[] all = [.. MutationCorpus.Credentials.Values, .. MutationCorpus.Presentations.Values];
        MutationCase[] kept = [.. all.Where(c => c.Effect == RewriteEffect.KeepsGraph)];
        string[] kinds = [.. kept.Select(c => c.Kind).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

        (all.Length >= 600).Should().BeTrue($"{all.Length} cases");
        (kept.Length >= 250).Should().BeTrue($"{kept.Length} of {all.Length} cases keep the signed graph");

        // Every kind of graph-preserving rewrite this suite names keeps the graph somewhere (else it tests nothing).
        string[] expected =
        [
            "alias-term", "array-unwrap", "array-wrap", "compact-iri", "escaped-name", "full-iri", "graph-split", "id-map",
            "included", "index-map", "keyword", "keywords-within", "nest", "reorder-within", "reverse", "set-object",
            "split-node", "type-map", "value-object",
        ];
        expected.All(kinds.Contains).Should().BeTrue("kinds that keep the graph: " + string.Join(", ", kinds));

        // The targets the verifier reads after the proof are each moved by a graph-preserving rewrite.
        // (type is the @type keyword: it has no IRI to rename to; its keyword and escaped spellings keep the graph.)
        kept.Should().Contain(c => c.Target == "type" && c.Kind == "keyword");
        foreach (string member in new[] { "credentialStatus", "validFrom", "validUntil", "issuanceDate", "expirationDate", "issuer", "credentialSubject", "name", "credentialSchema", "refreshService", "endorsement", "verifiableCredential" })
        {
            kept.Any(c => string.Equals(c.Target, member, StringComparison.Ordinal) && c.Kind is "full-iri" or "alias-term" or "nest").Should().BeTrue(member + ": no graph-preserving rename; kept: " + string.Join(", ", kept.Where(c => string.Equals(c.Target, member, StringComparison.Ordinal)).Select(c => c.Input + "/" + c.Kind)));
        }

        // Duplicate members are never JSON a verifier reads.
        all.Where(c => c.Kind.StartsWith("duplicate-", StringComparison.Ordinal)).Should().AllSatisfy(c => c.Effect.Should().Be(RewriteEffect.RefusedAsJson));
    }

    [Theory]
    [MemberData(nameof(CredentialCases))]
    public async Task Rewrite_NeverImprovesTheVerdictNorShowsUnsignedValues(string input, string target, string rewrite, string effect)
    {
        string name = MutationCorpus.Name(input, target, rewrite, effect);
        MutationCase c = MutationCorpus.Credentials[name];
        MutationInput signed = MutationCorpus.Input(c.Input);
        VerificationReport baseline = await signed.BaselineAsync(Ct);

        VerificationReport report = await signed.Verifier.VerifyAsync(Encoding.UTF8.GetBytes(c.Json), Ct);

        AssertEffect(c, report);
        AssertNotImproved(baseline, report, name);
    }

    [Theory]
    [MemberData(nameof(PresentationCases))]
    public async Task PresentedRevokedCredential_Rewritten_IsNeverVerified(string input, string target, string rewrite, string effect)
    {
        string name = MutationCorpus.Name(input, target, rewrite, effect);
        MutationCase c = MutationCorpus.Presentations[name];
        VerificationReport baseline = await MutationCorpus.Input("revoked-presented").BaselineAsync(Ct);

        PresentationVerificationReport report = await MutationCorpus.PresentationVerifier.VerifyAsync(Encoding.UTF8.GetBytes(c.Json), MutationCorpus.Challenge, null, Ct);

        string described = string.Join("\n", report.Checks.Select(x => $"{x.Name}: {x.Status}: {x.Message}"));
        report.Verified.Should().BeFalse(name + "\n" + described);
        bool holderProof = report.Checks.Any(x => x.Name == PresentationCheckNames.Proof && x.Status == CheckStatus.Passed);
        bool parsed = report.Checks.Any(x => x.Name == PresentationCheckNames.Parse && x.Status == CheckStatus.Passed);
        if (c.Effect == RewriteEffect.KeepsGraph)
        {
            // The presentation verifier reads its shape (type, @context) from the JSON: a keyword spelling fails there, closed.
            (holderProof || !parsed).Should().BeTrue(name + "\n" + described);
        }
        else
        {
            holderProof.Should().BeFalse(name + "\n" + described);
        }

        foreach (VerificationReport credential in report.Credentials)
        {
            AssertNotImproved(baseline, credential, name);
        }

        // The holder signed a presentation of a revoked credential: a verified holder proof comes with that credential's
        // (failing) report, or with a failed credentials step saying the JSON does not show what was signed.
        if (holderProof)
        {
            (report.Credentials.Count > 0 || report.Checks.Any(x => x.Name == PresentationCheckNames.Credentials && x.Status == CheckStatus.Failed)).Should().BeTrue(name + ": the presentation proof verified but no credential was reported and nothing failed\n" + described);
        }
    }

    public static TheoryData<string> Additions => ["validUntil", "name-alias", "status-full-iri", "summary-name", "issuer-name"];

    [Theory]
    [MemberData(nameof(Additions))]
    public async Task ValidCredential_AddedContent_BreaksTheProofAndShowsNoSummary(string addition)
    {
        MutationInput input = MutationCorpus.Input("valid");
        JsonObject doc = input.Signed.DeepClone().AsObject();
        switch (addition)
        {
            case "validUntil":
                doc["validUntil"] = "2099-01-01T00:00:00Z";
                break;
            case "name-alias":
                doc["@context"]!.AsArray().Add(new JsonObject { ["mutName"] = GraphPreservingRewrites.Schema + "name" });
                doc["mutName"] = "Forged badge";
                break;
            case "status-full-iri":
                doc[GraphPreservingRewrites.Cred + "credentialStatus"] = new JsonObject { ["@id"] = "https://issuer.example/status-lists/other#1" };
                break;
            case "summary-name":
                doc["name"] = "Forged badge";
                break;
            default:
                doc["issuer"]!["name"] = "Forged issuer";
                break;
        }

        VerificationReport report = await input.Verifier.VerifyAsync(Encoding.UTF8.GetBytes(doc.ToJsonString()), Ct);

        report.Verified.Should().BeFalse(Describe(report));
        ProofPassed(report).Should().BeFalse(Describe(report));
        report.Summary.Should().BeNull();
    }

    private static void AssertEffect(MutationCase c, VerificationReport report)
    {
        string why = c.Name + "\n" + Describe(report);
        switch (c.Effect)
        {
            case RewriteEffect.RefusedAsJson:
                report.Checks.Any(x => x.Name == CheckNames.Parse && x.Status == CheckStatus.Failed).Should().BeTrue(why);
                report.InputReadable.Should().BeFalse(why);
                break;
            case RewriteEffect.RejectedBySafeMode:
                report.Checks.Any(x => x.Name == CheckNames.JsonLd && x.Status == CheckStatus.Failed).Should().BeTrue(why);
                ProofPassed(report).Should().BeFalse(why);
                break;
            case RewriteEffect.ChangesGraph:
                ProofPassed(report).Should().BeFalse(why);
                break;
            default:
                ProofPassed(report).Should().BeTrue(why);
                break;
        }
    }

    /// <summary>The rewritten report is no better than the signed credential's, and shows only what that credential's summary shows.</summary>
    private static void AssertNotImproved(VerificationReport baseline, VerificationReport report, string name)
    {
        string why = name + "\nbaseline:\n" + Describe(baseline) + "\nrewritten:\n" + Describe(report);
        if (!baseline.Verified)
        {
            report.Verified.Should().BeFalse(why);
        }

        if (ProofPassed(report))
        {
            // The signature covers the same data, so every step after the proof reads the same and says the same.
            foreach (string step in new[] { CheckNames.Type, CheckNames.IssuerKey, CheckNames.KnownIssuer, CheckNames.Validity, CheckNames.Status, CheckNames.Refresh })
            {
                Steps(baseline, step).SequenceEqual(Steps(report, step)).Should().BeTrue(step + ": " + why);
            }

            report.Summary.Should().NotBeNull();
            SummaryJson(report).Should().Be(SummaryJson(baseline));
        }
        else
        {
            report.Verified.Should().BeFalse(why);
            report.Summary.Should().BeNull();
        }

        // Endorsements: none verifies that did not, none shows another summary, and no more endorsement steps pass.
        foreach (EndorsementReport e in report.Endorsements)
        {
            EndorsementReport? before = baseline.Endorsements.FirstOrDefault(b => string.Equals(b.Report.CredentialId, e.Report.CredentialId, StringComparison.Ordinal));
            if (before is null)
            {
                e.Report.Verified.Should().BeFalse("an endorsement the signed credential does not show verified: " + why);
                continue;
            }

            if (!before.Report.Verified)
            {
                e.Report.Verified.Should().BeFalse("endorsement " + e.Location + ": " + Describe(e.Report) + "\n" + why);
            }

            if (e.Report.Summary is not null)
            {
                SummaryJson(e.Report).Should().Be(SummaryJson(before.Report));
            }
        }

        (report.Checks.Count(x => x.Name == CheckNames.Endorsement && x.Status == CheckStatus.Passed) <= baseline.Checks.Count(x => x.Name == CheckNames.Endorsement && x.Status == CheckStatus.Passed)).Should().BeTrue(why);
    }

    private static IEnumerable<(CheckStatus, string)> Steps(VerificationReport report, string name)
        => report.Checks.Where(c => c.Name == name).Select(c => (c.Status, c.Message));

    private static bool ProofPassed(VerificationReport report)
        => report.Checks.Any(c => c.Status == CheckStatus.Passed && (c.Name == CheckNames.Proof || c.Name.StartsWith(CheckNames.Proof + "[", StringComparison.Ordinal)));

    private static string SummaryJson(VerificationReport report)
    {
        report.Summary.Should().NotBeNull();
        using var ms = new MemoryStream();
        using (var writer = new Utf8JsonWriter(ms))
        {
            report.Summary.WriteTo(writer, verified: false); // content only: the verdict is compared on its own
        }

        return Encoding.UTF8.GetString(ms.ToArray());
    }
}

/// <summary>One rewritten document of one signed input.</summary>
internal sealed record MutationCase(string Name, string Input, string Target, string Kind, string Json, RewriteEffect Effect);

/// <summary>A signed input, the verifier that knows its status lists, and its failing step (null: it verifies).</summary>
internal sealed class MutationInput(string name, JsonObject signed, CredentialVerifier verifier, string? failingStep)
{
    private VerificationReport? _baseline;

    public string Name => name;

    public JsonObject Signed => signed;

    public CredentialVerifier Verifier => verifier;

    public string? FailingStep => failingStep;

    public async Task<VerificationReport> BaselineAsync(CancellationToken cancellationToken)
        => _baseline ??= await verifier.VerifyAsync(Encoding.UTF8.GetBytes(signed.ToJsonString()), cancellationToken);
}

/// <summary>The signed inputs and every rewritten case, built once per test run.</summary>
internal static class MutationCorpus
{
    public const string Challenge = "mutation-challenge";

    private const string RevocationList = "https://issuer.example/status-lists/revocation";
    private const string SuspensionList = "https://issuer.example/status-lists/suspension";
    private const string ActiveList = "https://issuer.example/status-lists/active";
    private const string EndorserList = "https://endorser.example/status-lists/revocation";
    private const string Extensions = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json";

    /// <summary>Every member the verifier reads, and the nested ones its status, summary and endorsement steps read.</summary>
    private static readonly string[] s_targets =
    [
        "credentialStatus", "validFrom", "validUntil", "issuanceDate", "expirationDate", "issuer", "credentialSubject", "type", "name",
        "credentialSchema", "refreshService", "endorsement", "id",
        "credentialStatus/statusPurpose", "credentialStatus/statusListIndex", "credentialStatus/statusListCredential", "credentialStatus/type",
        "issuer/name", "issuer/id", "credentialSubject/achievement", "credentialSubject/achievement/name",
        "endorsement/0/validUntil", "endorsement/0/type", "endorsement/0/credentialSubject", "endorsement/1/credentialStatus", "endorsement/1/credentialStatus/statusListIndex",
    ];

    private static readonly TestIssuer s_issuer = TestIssuer.Create();
    private static readonly TestIssuer s_endorser = TestIssuer.Create();
    private static readonly TestHolder s_holder = new();
    private static readonly Lazy<MutationInput[]> s_inputs = new(BuildInputs);
    private static readonly Lazy<JsonObject> s_presentation = new(BuildPresentation);
    private static readonly Lazy<Dictionary<string, MutationCase>> s_credentials = new(BuildCredentialCases);
    private static readonly Lazy<Dictionary<string, MutationCase>> s_presentations = new(BuildPresentationCases);

    public static IReadOnlyList<MutationInput> Inputs => [.. s_inputs.Value.Where(i => !string.Equals(i.Name, "revoked-presented", StringComparison.Ordinal))];

    public static IReadOnlyDictionary<string, MutationCase> Credentials => s_credentials.Value;

    public static IReadOnlyDictionary<string, MutationCase> Presentations => s_presentations.Value;

    public static JsonObject Presentation => s_presentation.Value;

    public static PresentationVerifier PresentationVerifier { get; } = new(
        Input("revoked-presented").Verifier,
        new PresentationVerifierOptions { TimeProvider = new FixedTimeProvider(TestClock.Now) });

    public static MutationInput Input(string name) => s_inputs.Value.Single(i => string.Equals(i.Name, name, StringComparison.Ordinal));

    private static MutationInput[] BuildInputs()
    {
        var lists = new InMemoryStatusListSource()
            .Add(RevocationList, s_issuer.StatusList(RevocationList, StatusPurpose.Revocation, 42))
            .Add(SuspensionList, s_issuer.StatusList(SuspensionList, StatusPurpose.Suspension, 42))
            .Add(ActiveList, s_issuer.StatusList(ActiveList, StatusPurpose.Revocation, 7))
            .Add(EndorserList, s_endorser.StatusList(EndorserList, StatusPurpose.Revocation, 5));
        CredentialVerifier verifier = Verifier(lists);

        JsonObject revoked = Full(TestDocuments.Credential(s_issuer.Id));
        revoked["credentialStatus"] = TestDocuments.BitstringEntry(RevocationList, "revocation", 42);

        JsonObject suspended = TestDocuments.Credential(s_issuer.Id);
        suspended["credentialStatus"] = TestDocuments.BitstringEntry(SuspensionList, "suspension", 42);

        JsonObject valid = Full(TestDocuments.Credential(s_issuer.Id));
        valid["credentialStatus"] = TestDocuments.BitstringEntry(ActiveList, "revocation", 42);

        JsonObject expiredEndorsement = TestDocuments.Endorsement(s_endorser.Id, s_issuer.Id, "Expired praise.");
        expiredEndorsement["validUntil"] = "2026-06-01T00:00:00Z";
        JsonObject revokedEndorsement = TestDocuments.Endorsement(s_endorser.Id, s_issuer.Id, "Revoked praise.");
        revokedEndorsement["credentialStatus"] = TestDocuments.BitstringEntry(EndorserList, "revocation", 5);
        JsonObject endorsed = TestDocuments.Credential(s_issuer.Id);
        endorsed["endorsement"] = new JsonArray(s_endorser.SignToNode(expiredEndorsement), s_endorser.SignToNode(revokedEndorsement));

        return
        [
            new("revoked", s_issuer.SignToNode(revoked).AsObject(), verifier, CheckNames.Status),
            new("suspended", s_issuer.SignToNode(suspended).AsObject(), verifier, CheckNames.Status),
            new("expired", s_issuer.SignToNode(TestDocuments.Credential(s_issuer.Id, validUntil: "2026-06-01T00:00:00Z")).AsObject(), verifier, CheckNames.Validity),
            new("expired-vc11", s_issuer.SignToNode(TestDocuments.LegacyCredential(s_issuer.Id, "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z")).AsObject(), verifier, CheckNames.Validity),
            new("not-yet-valid", s_issuer.SignToNode(TestDocuments.Credential(s_issuer.Id, validFrom: "2027-01-01T00:00:00Z")).AsObject(), verifier, CheckNames.Validity),
            new("endorsed", s_issuer.SignToNode(endorsed).AsObject(), verifier, null),
            new("valid", s_issuer.SignToNode(valid).AsObject(), verifier, null),
            new("revoked-presented", s_issuer.SignToNode(revoked).AsObject(), verifier, CheckNames.Status),
        ];
    }

    /// <summary>Adds a credentialSchema and a refreshService (with the OB extensions context that defines their types).</summary>
    private static JsonObject Full(JsonObject credential)
    {
        credential["@context"]!.AsArray().Add(Extensions);
        credential["credentialSchema"] = new JsonArray(new JsonObject
        {
            ["id"] = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
            ["type"] = "1EdTechJsonSchemaValidator2019",
        });
        credential["refreshService"] = new JsonObject { ["id"] = "https://issuer.example/refresh/1", ["type"] = "1EdTechCredentialRefresh" };
        return credential;
    }

    private static JsonObject BuildPresentation()
    {
        var presentation = new JsonObject
        {
            ["@context"] = new JsonArray("https://www.w3.org/ns/credentials/v2"),
            ["type"] = new JsonArray("VerifiablePresentation"),
            ["holder"] = s_holder.Did,
            ["verifiableCredential"] = new JsonArray(Input("revoked-presented").Signed.DeepClone()),
        };
        string signed = s_holder.SignDataIntegrity(presentation.ToJsonString(), Challenge);
        return JsonNode.Parse(signed)!.AsObject();
    }

    private static Dictionary<string, MutationCase> BuildCredentialCases()
    {
        var cases = new Dictionary<string, MutationCase>(StringComparer.Ordinal);
        foreach (MutationInput input in Inputs)
        {
            foreach (string target in s_targets)
            {
                foreach (RewrittenDocument r in GraphPreservingRewrites.Rewrite(input.Signed, target))
                {
                    Add(cases, input.Name, r);
                }
            }

            foreach (RewrittenDocument r in GraphPreservingRewrites.RewriteDocument(input.Signed))
            {
                Add(cases, input.Name, r);
            }
        }

        return cases;
    }

    private static Dictionary<string, MutationCase> BuildPresentationCases()
    {
        var cases = new Dictionary<string, MutationCase>(StringComparer.Ordinal);
        string[] targets =
        [
            "verifiableCredential", "holder", "type",
            .. new[] { "credentialStatus", "validFrom", "issuer", "type", "credentialStatus/statusPurpose", "credentialStatus/statusListIndex" }.Select(t => "verifiableCredential/0/" + t),
        ];
        foreach (string target in targets)
        {
            foreach (RewrittenDocument r in GraphPreservingRewrites.Rewrite(Presentation, target))
            {
                Add(cases, "presented", r);
            }
        }

        return cases;
    }

    public static string EffectName(RewriteEffect effect) => effect switch
    {
        RewriteEffect.KeepsGraph => "keeps the signed graph",
        RewriteEffect.ChangesGraph => "changes the graph, proof fails",
        RewriteEffect.RejectedBySafeMode => "rejected by safe mode",
        _ => "refused as JSON",
    };

    public static string Name(string input, string target, string kind, string effect)
        => string.Create(CultureInfo.InvariantCulture, $"{input} | {target} | {kind} | {effect}");

    private static void Add(Dictionary<string, MutationCase> cases, string input, RewrittenDocument r)
    {
        string name = Name(input, r.Target, r.Kind, EffectName(r.Effect));
        cases.Add(name, new MutationCase(name, input, r.Target, r.Kind, r.Json, r.Effect));
    }
}
