using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// Credentials never travel in the query string, where proxies, browsers and access logs keep them. Protected
/// endpoints refuse a request with a credential-looking query parameter (<c>api_key</c>, <c>access_token</c>,
/// <c>client_secret</c>, <c>key</c>, <c>…token</c>, <c>…secret</c>, <c>…password</c>) with a 400 problem before
/// authentication (RFC 6750 §2.3 permits <c>access_token</c> there but advises against it; we do not support it), and
/// <c>/oauth/token</c> refuses client credentials there (RFC 6749 §2.3.1). Whatever a client sends anyway stays out of
/// the log: <see cref="RedactingLoggerFactory"/> masks those parameters' values, API keys and JWTs in every entry,
/// the framework's ("Request starting …?api_key=…") included.
/// </summary>
internal static partial class QueryCredentials
{
    public const string Mask = "[redacted]";

    private static readonly HashSet<string> s_names = new(StringComparer.OrdinalIgnoreCase)
    {
        "key", "apikey", "auth", "authorization", "bearer", "jwt", "token", "secret", "password", "passwd", "pwd", "pass", "assertion", "credential", "credentials",
    };

    private static readonly string[] s_suffixes = ["apikey", "accesskey", "secretkey", "privatekey", "signingkey", "token", "secret", "password", "passwd", "assertion", "credential", "credentials"];

    /// <summary>
    /// Whether a (decoded) query parameter name looks like it carries a credential: compared without case, <c>_</c>,
    /// <c>-</c> or <c>.</c>, so <c>api_key</c>, <c>Api-Key</c> and <c>apiKey</c> are one name.
    /// </summary>
    public static bool IsCredentialName(string name)
    {
        string normalized = string.Concat(name.Where(char.IsAsciiLetterOrDigit));
        return s_names.Contains(normalized) || s_suffixes.Any(s => normalized.EndsWith(s, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The first credential-looking parameter name of <paramref name="query"/>, or null.</summary>
    public static string? Find(IQueryCollection query) => query.Keys.FirstOrDefault(IsCredentialName);

    /// <summary>The problem detail for a refused parameter: its name (shortened), never its value.</summary>
    public static string Refusal(string name) =>
        $"The query parameter '{(name.Length <= 40 ? name : name[..40] + "…")}' looks like a credential. Send credentials only in the Authorization header; "
        + "treat a credential that was sent in a URL as exposed and revoke it.";

    /// <summary>Wraps the logger factory in <see cref="RedactingLoggerFactory"/>.</summary>
    public static IServiceCollection AddCredentialRedactingLogs(this IServiceCollection services)
    {
        // The factory AddLogging registers, built the same way (providers, filters, options, scopes), then wrapped.
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new RedactingLoggerFactory(new LoggerFactory(
            sp.GetServices<ILoggerProvider>(),
            sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>(),
            sp.GetService<IExternalScopeProvider>()))));
        return services;
    }

    /// <summary>Refuses credential-looking query parameters on endpoints that require authorization, before authentication runs.</summary>
    public static IApplicationBuilder UseQueryCredentialRefusal(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        Endpoint? endpoint = context.GetEndpoint();
        if (endpoint is not null && context.Request.QueryString.HasValue
            && (endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null || endpoint.Metadata.GetMetadata<AuthorizationPolicy>() is not null)
            && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null
            && Find(context.Request.Query) is { } name)
        {
            await ApiProblems.CredentialInQuery.Result(Refusal(name)).ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    /// <summary>
    /// <paramref name="text"/> with the values of credential-looking query parameters, API keys and JWTs replaced by
    /// <see cref="Mask"/>; the same instance when there is nothing to mask.
    /// </summary>
    public static string Redact(string text)
    {
        if (text.Length == 0)
        {
            return text;
        }

        string redacted = QueryParameter().Replace(text, static m =>
            IsCredentialName(DecodeName(m.Groups["name"].Value)) && m.Groups["value"].Length > 0 ? m.Groups["lead"].Value + Mask : m.Value);
        redacted = ApiKeyOrJwt().Replace(redacted, Mask);
        return string.Equals(redacted, text, StringComparison.Ordinal) ? text : redacted;
    }

    private static string DecodeName(string name)
    {
        try
        {
            return Uri.UnescapeDataString(name.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return name;
        }
    }

    // name=value after '?', '&' or ';' (the way a query string appears in a URL or in "QueryString: ?a=b").
    [GeneratedRegex(@"(?<lead>[?&;](?<name>[^=&;#?\s]{1,128})=)(?<value>[^&;#\s""']*)", RegexOptions.CultureInvariant)]
    private static partial Regex QueryParameter();

    // Our API keys (bik_ and 43 base64url characters), credential offer handles, pre-authorized codes and wallet access
    // tokens (bio_, bip_, biw_), and anything shaped like a JWS compact serialization.
    [GeneratedRegex(@"bi[kopw]_[A-Za-z0-9_-]{16,}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*", RegexOptions.CultureInvariant)]
    private static partial Regex ApiKeyOrJwt();
}

/// <summary>
/// Wraps the logger factory so every logger masks credentials (<see cref="QueryCredentials.Redact"/>) in the message
/// and in each string of the structured state before any provider sees the entry: the console and a JSON sink alike,
/// and the framework's own request logs. Filters and providers are untouched; entries with nothing to mask pass as
/// they are.
/// </summary>
internal sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private sealed class RedactingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            string message = formatter(state, exception);
            string redactedMessage = QueryCredentials.Redact(message);
            IReadOnlyList<KeyValuePair<string, object?>>? pairs = state as IReadOnlyList<KeyValuePair<string, object?>>;
            KeyValuePair<string, object?>[]? redactedPairs = null;
            if (pairs is not null)
            {
                for (int i = 0; i < pairs.Count; i++)
                {
                    // Values are rendered as a sink would render them; "{OriginalFormat}" is the template, not data.
                    if (pairs[i].Value is { } value && pairs[i].Key != "{OriginalFormat}" && value.ToString() is { } text
                        && !ReferenceEquals(QueryCredentials.Redact(text), text))
                    {
                        redactedPairs ??= [.. pairs];
                        redactedPairs[i] = new(pairs[i].Key, QueryCredentials.Redact(text));
                    }
                }
            }

            if (ReferenceEquals(redactedMessage, message) && redactedPairs is null)
            {
                // Unchanged; the message is already formatted, so providers need not format it again.
                inner.Log(logLevel, eventId, state, exception, (_, _) => message);
                return;
            }

            inner.Log(logLevel, eventId, new RedactedState(redactedMessage, redactedPairs ?? [.. pairs ?? []]), exception, static (s, _) => s.Message);
        }
    }

    /// <summary>The masked entry: structured like the original (same keys), rendered as the masked message.</summary>
    private sealed class RedactedState(string message, KeyValuePair<string, object?>[] pairs) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message => message;

        public KeyValuePair<string, object?> this[int index] => pairs[index];

        public int Count => pairs.Length;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)pairs).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => message;
    }
}
