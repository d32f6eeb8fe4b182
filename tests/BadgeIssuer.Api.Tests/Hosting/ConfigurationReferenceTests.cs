using System.Reflection;
using System.Text.RegularExpressions;
using BadgeIssuer.Api.Features.Verify;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;

namespace BadgeIssuer.Api.Tests.Hosting;

/// <summary>
/// <c>docs/configuration.md</c> against the options classes: every bindable property is documented under its full key
/// (first column of a table row, in backticks), and every documented key is bound by an options class or is one of the
/// host keys the service reads itself.
/// </summary>
public sealed partial class ConfigurationReferenceTests
{
    /// <summary>Each options class and the section it is bound to (<c>BindConfiguration</c> in the service).</summary>
    private static readonly (Type Type, string Section)[] s_roots =
    [
        (typeof(BadgeIssuerOptions), BadgeIssuerOptions.Section),
        (typeof(VerifyOptions), VerifyOptions.Section),
        (typeof(VerifyTimeoutOptions), VerifyOptions.Section),
        (typeof(RemoteResolutionOptions), RemoteResolutionOptions.Section),
        (typeof(RateLimitOptions), RateLimitOptions.Section),
        (typeof(BadgeIssuer.Api.Features.Webhooks.WebhookOptions), BadgeIssuer.Api.Features.Webhooks.WebhookOptions.Section),
        (typeof(BadgeIssuer.Api.Features.Wallet.WalletOptions), BadgeIssuer.Api.Features.Wallet.WalletOptions.Section),
    ];

    /// <summary>Keys read outside the options classes: the host's, the storage choice, and the in-code defaults.</summary>
    private static IEnumerable<string> HostKeys =>
        HostConfiguration.Defaults.Keys.Concat(["ConnectionStrings:" + StorageServiceCollectionExtensions.PostgresConnectionName]);

    [Fact]
    public void EveryOptionsClass_IsBoundHere()
    {
        HashSet<Type> reachable = [.. s_roots.SelectMany(r => Reachable(r.Type))];
        // Configuration classes: those with a Section constant or an IValidateOptions<T> validator (request DTOs named
        // …Options, such as VC-API "options", have neither).
        Type[] types = typeof(BadgeIssuerOptions).Assembly.GetTypes();
        Type[] options = [.. types.Where(t => t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true })
            .Concat(types.SelectMany(t => t.GetInterfaces())
                .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(Microsoft.Extensions.Options.IValidateOptions<>))
                .Select(i => i.GetGenericArguments()[0]))
            .Where(t => t.Assembly == typeof(BadgeIssuerOptions).Assembly)
            .Distinct()];
        options.Should().AllSatisfy(t => reachable.Contains(t).Should().BeTrue($"{t.FullName} is not in this test's list of bound options classes: add it (and its keys to docs/configuration.md)"));
    }

    [Fact]
    public void ConfigurationReference_DocumentsEveryKeyAndNothingElse()
    {
        string doc = File.ReadAllText(Path.Combine(Interop.NodeInterop.RepoRoot, "docs", "configuration.md"));
        var documented = new HashSet<string>(TableKey().Matches(doc).Select(m => m.Groups[1].Value), StringComparer.OrdinalIgnoreCase);
        var bound = new HashSet<string>(s_roots.SelectMany(r => Keys(r.Type, r.Section)).Concat(HostKeys), StringComparer.OrdinalIgnoreCase);

        bound.Except(documented).Order(StringComparer.Ordinal).Should().BeEmpty();
        documented.Except(bound).Order(StringComparer.Ordinal).Should().BeEmpty();
    }

    private static IEnumerable<string> Keys(Type type, string prefix)
    {
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetMethod is not null && p.SetMethod is { IsPublic: true }))
        {
            string key = prefix + ":" + property.Name;
            if (IsNested(property.PropertyType))
            {
                foreach (string nested in Keys(property.PropertyType, key))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return key;
            }
        }
    }

    private static IEnumerable<Type> Reachable(Type type) =>
        new[] { type }.Concat(type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => IsNested(p.PropertyType)).SelectMany(p => Reachable(p.PropertyType)));

    /// <summary>A settings object bound member by member (not a value, string or list).</summary>
    private static bool IsNested(Type type) => type.IsClass && type != typeof(string) && !type.IsArray && !type.IsGenericType;

    [GeneratedRegex(@"^\| `([A-Za-z][A-Za-z0-9.:]*)` \|", RegexOptions.Multiline)]
    private static partial Regex TableKey();
}
