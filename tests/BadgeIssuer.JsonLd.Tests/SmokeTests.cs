namespace BadgeIssuer.JsonLd.Tests;

public class BundledLoaderTests
{
    [Fact]
    public void Unknown_context_fails_closed_naming_the_url()
    {
        var ex = FluentActions.Invoking(() => BundledDocumentLoader.Default.Load("https://example.com/ctx")).Should().ThrowExactly<JsonLdException>().Which;
        ex.Code.Should().Be(JsonLdErrorCode.LoadingDocumentFailed);
        ex.Message.Should().Contain("https://example.com/ctx");
    }

    [Fact]
    public void Bundled_contexts_load()
    {
        BundledDocumentLoader.BundledUrls.Count.Should().Be(27);
        foreach (string url in BundledDocumentLoader.BundledUrls)
        {
            RemoteDocument doc = BundledDocumentLoader.Default.Load(url);
            doc.Document.RootElement.TryGetProperty("@context", out _).Should().BeTrue(url);
        }
    }
}
