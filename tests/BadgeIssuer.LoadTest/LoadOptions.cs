using System.Globalization;

namespace BadgeIssuer.LoadTest;

/// <summary>Command-line options of the load generator.</summary>
public sealed class LoadOptions
{
    public const string Usage = """
        BadgeIssuer.LoadTest: closed-loop HTTP load generator for the BadgeIssuer service.

        usage: BadgeIssuer.LoadTest [options]            run one scenario
               BadgeIssuer.LoadTest report FILE.json...  table of runs written with --json, medians per scenario
               BadgeIssuer.LoadTest wait [--url URL] [--timeout T] [--pid PID]  poll /readyz (or /health) until 200; fail if PID exits
               BadgeIssuer.LoadTest --self-test          check the percentile rule
        options:
          --url URL             service base URL (default http://127.0.0.1:5090); give it several times (or
                                --urls A,B,...) for several instances: requests go round-robin, setup to the first
          --api-key KEY         bearer key for the protected endpoints
          --bootstrap FILE      read apiKey (and issuerId) from the service's bootstrap.json instead
          --scenario NAME       awards | issue | issue+status | batch | status-list | verify | health (default awards)
          --concurrency N       in-flight requests = connections (default 32)
          --duration T          measured time, e.g. 20s, 1m, 500ms (default 20s)
          --warmup T            unmeasured load before the measurement (default 5s)
          --batch-size N        awards per POST /awards/batch (default 100)
          --issue-status        issue: ask for a revocation status entry (options.credentialStatus), as awards get;
                                same as --scenario issue+status
          --issuer-id ID        issue/issue+status only: send credentials issued by ID and skip the setup (no API key, no
                                achievement, no probe award), e.g. against the JavaScript reference issuer (bench/load.sh
                                REFERENCE=js), which signs with its own key whatever ID says
          --verify-file FILE    body for the verify scenario (default: a credential the service awards in setup)
          --if-none-match       status-list: send the list's ETag, so the answer is 304 (counted as success)
          --server-pid PID      also report the server process's CPU use during the measurement; repeat it for
                                several instances (summed, and listed per process)
          --db-pid PID          also report the CPU of this process and its children during the measurement, e.g.
                                the PostgreSQL postmaster (backends included; Linux /proc)
          --storage NAME        recorded with the result and shown by report, e.g. sqlite or postgres
          --json FILE           write the result as JSON
          --quiet               only the final summary line
        """;

    private static readonly Uri s_defaultUrl = new("http://127.0.0.1:5090");
    private readonly List<Uri> _urls = [];
    private readonly List<int> _serverPids = [];

    /// <summary>The first service URL: setup goes here.</summary>
    public Uri Url => _urls.Count > 0 ? _urls[0] : s_defaultUrl;

    /// <summary>Every service URL (instances of one deployment), in the order given; the load goes round-robin.</summary>
    public IReadOnlyList<Uri> Urls => _urls.Count > 0 ? _urls : [s_defaultUrl];

    public string? ApiKey { get; private set; }

    public string? BootstrapFile { get; private set; }

    public string Scenario { get; private set; } = "awards";

    public int Concurrency { get; private set; } = 32;

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(20);

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(5);

    public int BatchSize { get; private set; } = 100;

    public string? VerifyFile { get; private set; }

    /// <summary>With issue/issue+status: the credentials' issuer, and no setup requests.</summary>
    public string? IssuerId { get; private set; }

    public bool IssueWithStatus { get; private set; }

    public bool IfNoneMatch { get; private set; }

    public IReadOnlyList<int> ServerPids => _serverPids;

    public int? DbPid { get; private set; }

    public string? Storage { get; private set; }

    public string? JsonFile { get; private set; }

    public bool Quiet { get; private set; }

    public bool Help { get; private set; }

    /// <summary>Parses <c>--name value</c> / <c>--name=value</c> pairs; throws <see cref="FormatException"/> on bad input.</summary>
    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        LoadOptions options = new();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string name = arg;
            string? inline = null;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                name = arg[..eq];
                inline = arg[(eq + 1)..];
            }

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Count)
                {
                    throw new FormatException($"{name} needs a value");
                }

                return args[++i];
            }

            switch (name)
            {
                case "-h" or "--help":
                    options.Help = true;
                    break;
                case "--url":
                    options._urls.Add(ParseUrl(Value()));
                    break;
                case "--urls":
                    options._urls.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseUrl));
                    break;
                case "--api-key":
                    options.ApiKey = Value();
                    break;
                case "--bootstrap":
                    options.BootstrapFile = Value();
                    break;
                case "--scenario":
                    options.Scenario = Value();
                    break;
                case "--concurrency":
                    options.Concurrency = PositiveInt(name, Value());
                    break;
                case "--duration":
                    options.Duration = ParseDuration(Value());
                    break;
                case "--warmup":
                    options.Warmup = ParseDuration(Value());
                    break;
                case "--batch-size":
                    options.BatchSize = PositiveInt(name, Value());
                    break;
                case "--verify-file":
                    options.VerifyFile = Value();
                    break;
                case "--issuer-id":
                    options.IssuerId = Value();
                    break;
                case "--issue-status":
                    options.IssueWithStatus = true;
                    break;
                case "--if-none-match":
                    options.IfNoneMatch = true;
                    break;
                case "--server-pid":
                    options._serverPids.Add(PositiveInt(name, Value()));
                    break;
                case "--db-pid":
                    options.DbPid = PositiveInt(name, Value());
                    break;
                case "--storage":
                    options.Storage = Value();
                    break;
                case "--json":
                    options.JsonFile = Value();
                    break;
                case "--quiet":
                    options.Quiet = true;
                    break;
                default:
                    throw new FormatException($"unknown option: {arg}");
            }
        }

        if (options.Duration <= TimeSpan.Zero)
        {
            throw new FormatException("--duration must be positive");
        }

        return options;
    }

    /// <summary><c>20s</c>, <c>1m</c>, <c>1500ms</c>, <c>1h</c>; a bare number is seconds.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        (string digits, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value < 0)
        {
            throw new FormatException($"not a duration: {text}");
        }

        return TimeSpan.FromSeconds(value * scale);
    }

    private static Uri ParseUrl(string text)
        => Uri.TryCreate(text.TrimEnd('/') + "/", UriKind.Absolute, out Uri? url)
            ? url
            : throw new FormatException($"--url needs an absolute URL, got '{text}'");

    private static int PositiveInt(string name, string text)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new FormatException($"{name} needs a positive integer, got '{text}'");
}
