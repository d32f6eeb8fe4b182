using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.JsonLd;
using static BadgeIssuer.Core.Tests.Verification.ReportAssert;

namespace BadgeIssuer.Core.Tests.Verification;

/// <summary>relatedResource digests (VC 2.0 §5.3): digestSRI and digestMultibase checked when the resource is available.</summary>
public sealed class RelatedResourceTests
{
    private const string V2 = "https://www.w3.org/ns/credentials/v2";

    // VC 2.0 Example 26 (digestMultibase, base64url-nopad SHA2-256 multihash) of the base and examples contexts.
    private const string V2Multibase = "uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA";
    private const string ExamplesV2Multibase = "uEiBXOT-8adbvubm13Jy2uYgLCUQ2Cr_i6vRZyeWM8iedfA";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] V2Bytes => BundledDocumentLoader.GetBundledBytes(V2)!;

    [Fact]
    public void Multibase_SpecExample26_MatchesTheBundledContexts()
    {
        ResourceDigests.CheckMultibase(V2Multibase, V2Bytes).Outcome.Should().Be(DigestOutcome.Matched);
        ResourceDigests.CheckMultibase(ExamplesV2Multibase, BundledDocumentLoader.GetBundledBytes("https://www.w3.org/ns/credentials/examples/v2")).Outcome.Should().Be(DigestOutcome.Matched);
        ResourceDigests.CheckMultibase(ExamplesV2Multibase, V2Bytes).Outcome.Should().Be(DigestOutcome.Mismatched);
    }

    [Fact]
    public void Multibase_EveryEncodingAndHash_IsComputedAndCompared()
    {
        byte[] content = Encoding.UTF8.GetBytes("a related resource");
        byte[] Multihash(byte code, byte[] digest) => [code, (byte)digest.Length, .. digest];
        byte[] sha256 = Multihash(0x12, SHA256.HashData(content));
        byte[] sha384 = Multihash(0x20, SHA384.HashData(content));
        byte[] sha512 = Multihash(0x13, SHA512.HashData(content));

        ResourceDigests.CheckMultibase("z" + SimpleBase.Base58.Bitcoin.Encode(sha256), content).Outcome.Should().Be(DigestOutcome.Matched);
        ResourceDigests.CheckMultibase("f" + Convert.ToHexStringLower(sha384), content).Outcome.Should().Be(DigestOutcome.Matched);
        ResourceDigests.CheckMultibase("F" + Convert.ToHexString(sha512), content).Outcome.Should().Be(DigestOutcome.Matched);
        ResourceDigests.CheckMultibase("m" + Convert.ToBase64String(sha256).TrimEnd('='), content).Outcome.Should().Be(DigestOutcome.Matched);
        ResourceDigests.CheckMultibase("M" + Convert.ToBase64String(sha384), content).Outcome.Should().Be(DigestOutcome.Matched);
        if (SHA3_256.IsSupported)
        {
            ResourceDigests.CheckMultibase("z" + SimpleBase.Base58.Bitcoin.Encode(Multihash(0x16, SHA3_256.HashData(content))), content).Outcome.Should().Be(DigestOutcome.Matched);
        }

        ResourceDigests.CheckMultibase("z" + SimpleBase.Base58.Bitcoin.Encode(sha256), "another resource"u8).Outcome.Should().Be(DigestOutcome.Mismatched);
    }

    [Theory]
    [InlineData("u!!!!", "Malformed")]
    [InlineData("z", "Malformed")]
    [InlineData("fEiA", "Malformed")]
    [InlineData("f1220aa", "Malformed")]
    [InlineData("f9920aa", "Malformed")]
    [InlineData("bciqfswbm5vmtvr7a", "Unsupported")]
    [InlineData("f5502aaaa", "Unsupported")]
    public void Multibase_BrokenOrUnsupported_IsReportedAsSuch(string value, string expected)
        => ResourceDigests.CheckMultibase(value, V2Bytes).Outcome.ToString().Should().Be(expected);

    [Fact]
    public void Sri_StrongestAlgorithmDecides()
    {
        string sha384 = "sha384-" + Convert.ToBase64String(SHA384.HashData(V2Bytes));
        string sha256 = "sha256-" + Convert.ToBase64String(SHA256.HashData(V2Bytes));
        const string WrongSha256 = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        const string WrongSha384 = "sha384-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

        ResourceDigests.CheckSri([sha384], V2Bytes).Outcome.Should().Be(DigestOutcome.Matched);
        ResourceDigests.CheckSri([sha256 + "?ct=application/ld+json"], V2Bytes).Outcome.Should().Be(DigestOutcome.Matched);
        ResourceDigests.CheckSri([WrongSha256 + " " + sha384], V2Bytes).Outcome.Should().Be(DigestOutcome.Matched);
        ResourceDigests.CheckSri([sha256 + " " + WrongSha384], V2Bytes).Outcome.Should().Be(DigestOutcome.Mismatched);
        ResourceDigests.CheckSri([WrongSha384, sha384], V2Bytes).Outcome.Should().Be(DigestOutcome.Matched);
        ResourceDigests.CheckSri(["md5-AAAA"], V2Bytes).Outcome.Should().Be(DigestOutcome.Unsupported);

        // VC 2.0 Example 25 prints the base context's digest with one character too many ("Ml/Hrj…"): it does not match.
        ResourceDigests.CheckSri(["sha384-Ml/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU"], V2Bytes).Outcome.Should().Be(DigestOutcome.Mismatched);
        sha384.Should().Be("sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU");
    }

    [Fact]
    public async Task Verify_MatchingDigestOfABundledContext_PassesTheStep()
    {
        VerificationReport report = await VerifyWith(new JsonObject { ["id"] = V2, ["digestMultibase"] = V2Multibase, ["mediaType"] = "application/ld+json" });

        report.Verified.Should().BeTrue(Describe(report));
        VerificationCheck step = Single(report, CheckNames.RelatedResource);
        step.Status.Should().Be(CheckStatus.Passed);
        step.Message.Should().Contain("digestMultibase sha2-256").And.Contain("bundled context");
    }

    [Fact]
    public async Task Verify_MismatchedDigest_FailsTheCredential()
    {
        VerificationReport report = await VerifyWith(new JsonObject { ["id"] = V2, ["digestMultibase"] = ExamplesV2Multibase });

        report.Verified.Should().BeFalse();
        VerificationCheck step = Single(report, CheckNames.RelatedResource);
        step.Status.Should().Be(CheckStatus.Failed);
        step.Message.Should().Contain("does not match");
        report.Verdict.Should().StartWith("Not valid: related-resource: ");
    }

    [Fact]
    public async Task Verify_OtherMediaType_FailsTheCredential()
    {
        VerificationReport report = await VerifyWith(new JsonObject { ["id"] = V2, ["digestMultibase"] = V2Multibase, ["mediaType"] = "text/html" });

        Single(report, CheckNames.RelatedResource).Should().Match<VerificationCheck>(c => c.Status == CheckStatus.Failed && c.Message.Contains("not the text/html", StringComparison.Ordinal));
        report.Verified.Should().BeFalse();
    }

    [Fact]
    public async Task Verify_UnavailableResource_IsAWarningThatSaysWhy()
    {
        VerificationReport report = await VerifyWith(new JsonObject { ["id"] = "https://example.org/terms.html", ["digestSRI"] = "sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU" });

        report.Verified.Should().BeTrue(Describe(report));
        VerificationCheck step = Single(report, CheckNames.RelatedResource);
        step.Status.Should().Be(CheckStatus.Warning);
        step.Message.Should().Contain("digest not checked").And.Contain("not a context bundled with this verifier");
    }

    [Fact]
    public async Task Verify_ResourceFromASourceAndLargerThanTheBound_IsCheckedOrNotChecked()
    {
        byte[] terms = Encoding.UTF8.GetBytes("<h1>Terms</h1>");
        var source = new MapSource { ["https://example.org/terms.html"] = terms };
        JsonObject entry = new() { ["id"] = "https://example.org/terms.html", ["digestSRI"] = "sha256-" + Convert.ToBase64String(SHA256.HashData(terms)) };

        VerificationReport found = await VerifyWith(entry, new CredentialVerifierOptions { TimeProvider = new FixedTimeProvider(TestClock.Now), RelatedResources = source });
        VerificationReport tooLarge = await VerifyWith(entry, new CredentialVerifierOptions { TimeProvider = new FixedTimeProvider(TestClock.Now), RelatedResources = source, MaxRelatedResourceBytes = 4 });

        Single(found, CheckNames.RelatedResource).Status.Should().Be(CheckStatus.Passed);
        Single(tooLarge, CheckNames.RelatedResource).Should().Match<VerificationCheck>(c => c.Status == CheckStatus.Warning && c.Message.Contains("larger than 4 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verify_MoreEntriesThanTheBound_AreReportedNotChecked()
    {
        var entries = new JsonArray(
            new JsonObject { ["id"] = V2, ["digestMultibase"] = V2Multibase },
            new JsonObject { ["id"] = "https://www.w3.org/ns/credentials/examples/v2", ["digestMultibase"] = ExamplesV2Multibase });

        VerificationReport report = await VerifyWith(entries, new CredentialVerifierOptions { TimeProvider = new FixedTimeProvider(TestClock.Now), MaxRelatedResources = 1 });

        report.Checks.Where(c => c.Name == CheckNames.RelatedResource).Select(c => c.Status).Should().Equal([CheckStatus.Passed, CheckStatus.Skipped]);
    }

    private static async Task<VerificationReport> VerifyWith(JsonNode relatedResource, CredentialVerifierOptions? options = null)
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = ProfileTests.PlainVc(issuer.Id);
        credential["relatedResource"] = relatedResource.DeepClone();
        var verifier = new CredentialVerifier(options ?? new CredentialVerifierOptions { TimeProvider = new FixedTimeProvider(TestClock.Now) });
        return await verifier.VerifyAsync(issuer.Sign(credential), Ct);
    }

    private sealed class MapSource : IRelatedResourceSource
    {
        private readonly Dictionary<string, byte[]> _resources = new(StringComparer.Ordinal);

        public byte[] this[string url]
        {
            set => _resources[url] = value;
        }

        public ValueTask<RelatedResourceContent> GetAsync(string url, string? mediaType, int maxBytes, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(!_resources.TryGetValue(url, out byte[]? bytes) ? RelatedResourceContent.NotAvailable("not in the map")
                : bytes.Length > maxBytes ? RelatedResourceContent.NotAvailable($"larger than {maxBytes} bytes")
                : new RelatedResourceContent(bytes, "text/html", "map", null));
    }
}
