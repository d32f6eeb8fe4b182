namespace BadgeIssuer.Core.Tests;

public class ProjectSmokeTests
{
    [Fact]
    public void Core_references_the_linked_data_library()
    {
        Assert.NotNull(typeof(BadgeIssuer.JsonLd.JsonLdProcessor).Assembly);
    }
}
