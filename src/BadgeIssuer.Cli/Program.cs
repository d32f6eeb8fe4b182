using System.Text.Json;
using BadgeIssuer.JsonLd;
using BadgeIssuer.JsonLd.Canonicalization;

namespace BadgeIssuer.Cli;

/// <summary>
/// <c>badge</c>: offline tools over the linked-data core. Exit codes: 0 success, 2 any error (one line on stderr).
/// Verbs live in <see cref="s_commands"/>; a new verb is one more entry there.
/// </summary>
public static class Program
{
    private const int Success = 0;
    private const int Failure = 2;

    private static readonly Dictionary<string, Command> s_commands = new(StringComparer.Ordinal)
    {
        ["canonicalize"] = new Command("canonicalize FILE", "print the RDFC-1.0 canonical N-Quads of a JSON-LD file (safe mode) or an .nq file", 1, Canonicalize),
    };

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the CLI in-process; tests call this with their own writers.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        if (args.Length == 1 && args[0] is "-h" or "--help" or "help")
        {
            WriteUsage(stdout);
            return Success;
        }

        if (args.Length == 0 || !s_commands.TryGetValue(args[0], out Command? command))
        {
            if (args.Length > 0)
            {
                stderr.WriteLine($"unknown command: {args[0]}");
            }

            WriteUsage(stderr);
            return Failure;
        }

        string[] operands = args[1..];
        if (operands.Length != command.Operands)
        {
            stderr.WriteLine($"usage: badge {command.Synopsis}");
            return Failure;
        }

        try
        {
            return command.Handler(operands, stdout);
        }
        catch (Exception ex)
        {
            // Any failure is exit 2 with one line; stack traces are not for CLI users.
            stderr.WriteLine(OneLine(Describe(ex)));
            return Failure;
        }
    }

    private static int Canonicalize(string[] operands, TextWriter stdout)
    {
        string path = operands[0];
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"file not found: {path}", path);
        }

        string nquads;
        if (path.EndsWith(".nq", StringComparison.OrdinalIgnoreCase))
        {
            nquads = RdfCanonicalizer.CanonicalizeToNQuads(NQuads.Parse(File.ReadAllText(path)));
        }
        else
        {
            byte[] bytes = File.ReadAllBytes(path);
            ReadOnlyMemory<byte> json = bytes.AsMemory();
            if (json.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                json = json[3..];
            }

            nquads = JsonLdProcessor.Canonicalize(json, JsonLdOptions.Safe);
        }

        stdout.Write(nquads);
        stdout.Flush();
        return Success;
    }

    /// <summary>The one-line message for an error.</summary>
    private static string Describe(Exception ex) => ex switch
    {
        JsonLdException { Code: JsonLdErrorCode.LoadingDocumentFailed or JsonLdErrorCode.LoadingRemoteContextFailed } j
            => Prefixed("unknown context", UnknownContextMessage(j)),
        JsonLdException { Code: JsonLdErrorCode.SafeModeUndefinedTerm } j => Prefixed("undefined term", j.Message),
        JsonLdException { Code: JsonLdErrorCode.SafeModeRelativeType } j => Prefixed("relative type", j.Message),
        JsonLdException { Code: JsonLdErrorCode.SafeModeRelativeId } j => Prefixed("relative id", j.Message),
        JsonLdException { Code: JsonLdErrorCode.SafeModeDroppedValue } j => Prefixed("dropped value", j.Message),
        JsonLdException { Code: JsonLdErrorCode.ResourceLimitExceeded } j => Prefixed("resource limit exceeded", j.Message),
        JsonLdException j => $"json-ld error ({j.SpecCode}): {j.Message}",
        RdfcWorkLimitExceededException => "canonicalization work limit exceeded",
        JsonException j => $"invalid JSON: {j.Message}",
        FileNotFoundException or DirectoryNotFoundException => ex.Message.StartsWith("file not found", StringComparison.Ordinal) ? ex.Message : $"file not found: {ex.Message}",
        UnauthorizedAccessException or IOException => $"cannot read file: {ex.Message}",
        FormatException => $"invalid N-Quads: {ex.Message}",
        _ => $"error: {ex.Message}",
    };

    // The loader's own message names the URL ("unknown context: https://… (not bundled…)"); a processor may wrap
    // it, so prefer the innermost loader message.
    private static string UnknownContextMessage(JsonLdException ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e.Message.StartsWith("unknown context:", StringComparison.Ordinal))
            {
                return e.Message;
            }
        }

        return ex.Message;
    }

    private static string Prefixed(string prefix, string message)
        => message.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? message : $"{prefix}: {message}";

    private static string OneLine(string message)
        => message.ReplaceLineEndings(" ").Trim();

    private static void WriteUsage(TextWriter writer)
    {
        writer.WriteLine("usage: badge COMMAND [ARGS]");
        foreach (Command command in s_commands.Values)
        {
            writer.WriteLine($"  badge {command.Synopsis,-24} {command.Description}");
        }
    }

    private sealed record Command(string Synopsis, string Description, int Operands, Func<string[], TextWriter, int> Handler);
}
