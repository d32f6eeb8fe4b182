using System.Reflection;
using System.Text.Json;
using BadgeIssuer.JsonLd;
using BadgeIssuer.JsonLd.Canonicalization;

namespace BadgeIssuer.Cli;

/// <summary>
/// <c>badge</c>: offline tools over the linked-data and credential cores. Exit codes: 0 success, 2 any error (one
/// line on stderr); <c>verify</c> exits 1 when the credential does not verify.
/// Verbs live in <see cref="s_commands"/>; a new verb is one more entry there.
/// </summary>
public static class Program
{
    private const int Success = 0;
    private const int Failure = 2;

    private static readonly string[] s_verifyOptionsHelp =
    [
        "  --json                     print the full machine-readable report (JSON) instead of the verdict and failed steps",
        "  --did-documents DIR        read did:web DID documents and https key/controller documents from files under DIR,",
        "                             named by the document's https URL without the scheme (a port after '_'):",
        "                               did:web:example.org:issuers:1  -> DIR/example.org/issuers/1/did.json",
        "                               did:web:example.org            -> DIR/example.org/.well-known/did.json",
        "                               did:web:localhost%3A5000:i:1   -> DIR/localhost_5000/i/1/did.json",
        "                               https://example.org/keys/1     -> DIR/example.org/keys/1, 1.json or 1/index.json",
        "                             a document given there authenticates its keys; a method it does not list fails",
        "  --status-list URL=FILE     the status list (or 1EdTech revocation list) published at URL, read from FILE (repeatable)",
        "  --known-issuers FILE       a JSON list of issuers and their keys (see docs/cli.md)",
        "  --recipient EMAIL|ID       check that the credential was issued to this recipient (verify only)",
        "  --trust-fragment-keys      accept a key that only names the issuer (#z6Mk… fragment, or a JWT header jwk)",
        "Offline, nothing is fetched: give every document the credential needs, or the report says which is missing and how to give it.",
    ];

    private static readonly Dictionary<string, Command> s_commands = new(StringComparer.Ordinal)
    {
        ["canonicalize"] = new Command("canonicalize FILE", "print the RDFC-1.0 canonical N-Quads of a JSON-LD file (safe mode) or an .nq file", 1, 1, [], Canonicalize),
        ["keygen"] = new Command("keygen [--type Ed25519|RSA|P-256] [--out FILE] [--id URL] [--controller ID]", "write a key file; print the public key (and, for Ed25519 and P-256, the did:key)", 0, 0, ["type", "out", "id", "controller"], Commands.KeyGen),
        ["sign"] = new Command("sign FILE --key KEYFILE [--format di|jwt] [--alg EdDSA|RS256|ES256] [--proof-options FILE] [--validate false]", "check the VC Data Model rules and the rules of the credential's type (OB, endorsement, CLR), then print the signed credential (Data Integrity JSON, one proof as an object, or in an array for OB and CLR credentials; or compact JWT)", 1, 1, ["key", "format", "alg", "proof-options", "validate"], Commands.Sign),
        ["verify"] = new Command("verify FILE [--json] [--did-documents DIR] [--status-list URL=FILE]... [--known-issuers FILE] [--recipient EMAIL|ID] [--trust-fragment-keys]", "verify JSON, JWT, PNG or SVG; print the verdict and the failed steps (--json: the full report); exit 0 verified, 1 not, 2 unreadable", 1, 1, ["status-list", "known-issuers", "recipient", "did-documents"], Commands.Verify, ["trust-fragment-keys", "allow-unauthenticated-keys", "json"], s_verifyOptionsHelp),
        ["verify-presentation"] = new Command("verify-presentation FILE [--json] [--challenge C] [--domain D] [--did-documents DIR] [--status-list URL=FILE]... [--known-issuers FILE] [--trust-fragment-keys]", "verify a Verifiable Presentation (JSON-LD or VP-JWT) and each credential in it; print the verdicts and the failed steps (--json: the full report); exit 0 verified, 1 not, 2 unreadable", 1, 1, ["challenge", "domain", "status-list", "known-issuers", "did-documents"], Commands.VerifyPresentation, ["trust-fragment-keys", "json"], [
            "  --challenge C, --domain D  the values the presentation's proof must carry (VP-JWT: nonce, aud)",
            .. s_verifyOptionsHelp]),
        ["bake"] = new Command("bake --credential FILE --image IMAGE --out OUT", "bake a credential (JSON or JWT) into a PNG or SVG", 0, 0, ["credential", "image", "out"], Commands.Bake),
        ["unbake"] = new Command("unbake FILE", "print the credential baked into a PNG or SVG", 1, 1, [], Commands.Unbake),
        ["bench"] = new Command("bench [FILE] [--seconds N]", "operations per second: canonicalize, sign-di, verify-di, sign-jwt, verify-jwt", 0, 1, ["seconds"], Commands.Bench),
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

        if (args.Length == 1 && args[0] is "--version" or "-V" or "version")
        {
            stdout.WriteLine("badge " + Version);
            return Success;
        }

        // badge help VERB, badge VERB --help, badge VERB -h
        if (args.Length == 2 && args[0] == "help")
        {
            if (!s_commands.TryGetValue(args[1], out Command? verb))
            {
                stderr.WriteLine($"unknown command: {args[1]}");
                WriteUsage(stderr);
                return Failure;
            }

            WriteVerbUsage(stdout, args[1], verb);
            return Success;
        }

        if (args.Length >= 2 && s_commands.TryGetValue(args[0], out Command? helped) && args[1..].Any(a => a is "--help" or "-h"))
        {
            WriteVerbUsage(stdout, args[0], helped);
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

        CommandLine line;
        try
        {
            line = CommandLine.Parse(args[1..], command.Options, command.Flags);
        }
        catch (UsageException ex)
        {
            stderr.WriteLine($"{ex.Message}; usage: badge {command.Synopsis}");
            return Failure;
        }

        if (line.Operands.Count < command.MinOperands || line.Operands.Count > command.MaxOperands)
        {
            stderr.WriteLine($"usage: badge {command.Synopsis}");
            return Failure;
        }

        try
        {
            return command.Handler(line, stdout);
        }
        catch (UsageException ex)
        {
            stderr.WriteLine($"{ex.Message}; usage: badge {command.Synopsis}");
            return Failure;
        }
        catch (Exception ex)
        {
            // Any failure is exit 2 with one line; stack traces are not for CLI users.
            stderr.WriteLine(OneLine(Describe(ex)));
            return Failure;
        }
    }

    private static int Canonicalize(CommandLine line, TextWriter stdout)
    {
        string path = line.Operands[0];
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
        BadgeIssuer.Core.Keys.KeyFormatException k => $"invalid key: {k.Message}",
        BadgeIssuer.Core.Baking.BakingException b => $"baking failed: {b.Message}",
        CredentialRejectedException r => r.Message,
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

    /// <summary>The assembly's informational version (the build's version, with the commit when the build stamps one).</summary>
    public static string Version
        => typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(Program).Assembly.GetName().Version?.ToString()
            ?? "unknown";

    private static void WriteUsage(TextWriter writer)
    {
        writer.WriteLine("usage: badge COMMAND [ARGS]");
        foreach (Command command in s_commands.Values)
        {
            writer.WriteLine($"  badge {command.Synopsis}");
            writer.WriteLine($"      {command.Description}");
        }

        writer.WriteLine("badge help COMMAND (or badge COMMAND --help) describes one command; badge --version prints the version.");
    }

    private static void WriteVerbUsage(TextWriter writer, string name, Command command)
    {
        writer.WriteLine($"usage: badge {command.Synopsis}");
        writer.WriteLine($"{name}: {command.Description}");
        if (command.Help is { Length: > 0 } help)
        {
            writer.WriteLine("options:");
            foreach (string text in help)
            {
                writer.WriteLine(text);
            }
        }
    }

    private sealed record Command(string Synopsis, string Description, int MinOperands, int MaxOperands, string[] Options, Func<CommandLine, TextWriter, int> Handler, string[]? Flags = null, string[]? Help = null);
}
