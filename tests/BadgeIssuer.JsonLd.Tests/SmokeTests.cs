namespace BadgeIssuer.JsonLd.Tests;

public class BundledLoaderTests
{
    [Fact]
    public void Unknown_context_fails_closed_naming_the_url()
    {
        var ex = Assert.Throws<JsonLdException>(() => BundledDocumentLoader.Default.Load("https://example.com/ctx"));
        Assert.Equal(JsonLdErrorCode.LoadingDocumentFailed, ex.Code);
        Assert.Contains("https://example.com/ctx", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bundled_contexts_load()
    {
        Assert.Equal(20, BundledDocumentLoader.BundledUrls.Count);
        foreach (string url in BundledDocumentLoader.BundledUrls)
        {
            RemoteDocument doc = BundledDocumentLoader.Default.Load(url);
            Assert.True(doc.Document.RootElement.TryGetProperty("@context", out _), url);
        }
    }
}
