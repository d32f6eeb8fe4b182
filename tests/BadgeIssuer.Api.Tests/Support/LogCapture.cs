using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace BadgeIssuer.Api.Tests.Support;

/// <summary>One log entry as every provider would see it: message, structured state, scopes and exception.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> State, IReadOnlyList<string> Scopes, Exception? Exception)
{
    /// <summary>Everything a sink could write for this entry (a structured sink writes the state and scopes, not only the message).</summary>
    public string Everything()
    {
        var text = new StringBuilder().Append(Category).Append(' ').Append(Level).Append(' ').Append(Message);
        foreach ((string key, object? value) in State)
        {
            text.Append(" | ").Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
        }

        foreach (string scope in Scopes)
        {
            text.Append(" | scope ").Append(scope);
        }

        return Exception is null ? text.ToString() : text.Append('\n').Append(Exception).ToString();
    }
}

/// <summary>A logger provider that keeps every entry in memory, for tests that assert what is (not) logged.</summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedLog> Entries => _entries.ToArray();

    /// <summary>Every entry rendered with state, scopes and exception, one block per entry.</summary>
    public string AllText => string.Join("\n", Entries.Select(e => e.Everything()));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            owner._scopes.ForEachScope(static (scope, list) =>
            {
                list.Add(scope is IEnumerable<KeyValuePair<string, object?>> pairs
                    ? string.Join(", ", pairs.Select(p => p.Key + "=" + Convert.ToString(p.Value, CultureInfo.InvariantCulture)))
                    : Convert.ToString(scope, CultureInfo.InvariantCulture) ?? string.Empty);
            }, scopes);
            IReadOnlyList<KeyValuePair<string, object?>> pairs = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            owner._entries.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), [.. pairs], scopes, exception));
        }
    }
}
