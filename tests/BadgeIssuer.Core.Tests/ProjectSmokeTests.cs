namespace BadgeIssuer.Core.Tests;

public class ProjectSmokeTests
{
    [Fact]
    public void Core_references_the_linked_data_library()
    {
        typeof(BadgeIssuer.JsonLd.JsonLdProcessor).Assembly.Should().NotBeNull();
    }
}
