using System.Text.RegularExpressions;

namespace BadgeIssuer.Api.Tests.Hosting;

/// <summary>
/// The README's two-minute tour and learner-delivery example, run as written (<see cref="ReadmeRun"/>): the README's
/// service command is started in a clone-like directory, then the marked section runs in bash from the same directory. It
/// fails if a command of the README fails, e.g. when the service keeps its data anywhere but <c>./data</c>.
/// </summary>
public sealed class QuickStartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Readme_MarksTheQuickStart()
    {
        ReadmeRun.ServiceCommand().Should().Be("dotnet run --project src/BadgeIssuer.Api");
        string tour = ReadmeRun.Section("quick-start");
        tour.Should().Contain("./data/bootstrap.json");
        tour.Should().Contain("bash samples/walkthrough.sh");
    }

    [Fact]
    public async Task ReadmeQuickStart_RunsAsWritten()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "runs bash and the service as child processes; Linux/macOS only.");

        await ReadmeRun.RunAsync("quickstart", ReadmeRun.Section("quick-start"), TimeSpan.FromMinutes(3), outcome =>
        {
            (outcome.Exit == 0).Should().BeTrue(outcome.Describe("quick start"));
            File.Exists(Path.Combine(outcome.Directory.FullName, "data", "bootstrap.json")).Should().BeTrue("no ./data/bootstrap.json in the directory the service was started from");
            outcome.Output.Should().Contain("re-verified after revocation");
        }, Ct, withBaseUrl: true);
    }

    [Fact]
    public async Task ReadmeLearnerDelivery_RunsAsWritten()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "runs bash and the service as child processes; Linux/macOS only.");

        await ReadmeRun.RunAsync("learner-delivery", ReadmeRun.Section("learner-delivery"), TimeSpan.FromMinutes(2), outcome =>
        {
            (outcome.Exit == 0).Should().BeTrue(outcome.Describe("learner delivery example"));
            outcome.Output.Should().Contain("openid-credential-offer://?credential_offer_uri=").And.Contain("did:key:z6Mk").And.Contain("Valid: 'Forklift Safety'");
            outcome.Output.Should().Contain("https://lcw.app/request?request=").And.Contain("DIDAuthentication");
            Regex.Count(outcome.Output, "Valid: 'Forklift Safety'").Should().Be(2, "both the OpenID4VCI and the VC-API credential verify");
        }, Ct);
    }
}
