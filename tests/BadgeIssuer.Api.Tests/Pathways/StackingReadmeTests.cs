using BadgeIssuer.Api.Tests.Hosting;

namespace BadgeIssuer.Api.Tests.Pathways;

/// <summary>
/// The README's Stacking example, run as written (<see cref="ReadmeRun"/>): the service is started as the two-minute tour
/// starts it, then the block between <c>&lt;!-- stacking:begin --&gt;</c> and <c>&lt;!-- stacking:end --&gt;</c> runs in
/// bash from that directory with the README's origin replaced by the test's (nothing else is changed): three badges, the
/// certificate they complete, the CLR that stacks them (valid, then not valid once a part is revoked).
/// </summary>
public sealed class StackingReadmeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadmeStacking_RunsAsWritten()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "runs bash and the service as child processes; Linux/macOS only.");
        string commands = ReadmeRun.Section("stacking");
        commands.Should().Contain(ReadmeRun.ReadmeOrigin);

        await ReadmeRun.RunAsync("stacking", commands, TimeSpan.FromMinutes(2), outcome =>
        {
            (outcome.Exit == 0).Should().BeTrue(outcome.Describe("Stacking example"));
            outcome.Output.Should().Contain("\"name\":\"Welding Certificate\"").And.Contain("\"created\":true");
            outcome.Output.Should().Contain("Welding Safety: ").And.Contain("MIG Basics: ").And.Contain("TIG Basics: ");
            outcome.Output.Should().Contain("This credential counted toward 1 composite credential, which stays valid");
            outcome.Output.Should().Contain("2 of the 3 part credentials this credential was awarded for are still valid").And.Contain("is revoked");
            outcome.Output.Should().Contain("CLR: 4 credentials, 12 associations");
            string[] verdicts = [.. outcome.Output.Split('\n').Where(l => l.StartsWith("Valid: ", StringComparison.Ordinal) || l.StartsWith("Not valid: ", StringComparison.Ordinal))];
            verdicts.Should().HaveCount(2, outcome.Output);
            verdicts[0].Should().StartWith("Valid: ");
            verdicts[1].Should().StartWith("Not valid: the embedded credential credentialSubject.verifiableCredential[3]").And.Contain("is not valid: revoked");
        }, Ct);
    }
}
