namespace BadgeIssuer.Cli;

/// <summary>Operands and <c>--name value</c> options of one command line; repeated options keep every value.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CommandLine(List<string> operands)
    {
        Operands = operands;
    }

    public IReadOnlyList<string> Operands { get; }

    /// <summary>Parses <paramref name="args"/>; options named in <paramref name="known"/> take one value each, <paramref name="flags"/> none.</summary>
    public static CommandLine Parse(string[] args, IReadOnlyCollection<string> known, IReadOnlyCollection<string>? flags = null)
    {
        var operands = new List<string>();
        var line = new CommandLine(operands);
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2)
            {
                string name = a[2..];
                if (flags is not null && flags.Contains(name))
                {
                    line._flags.Add(name);
                    continue;
                }

                if (!known.Contains(name))
                {
                    throw new UsageException($"unknown option: {a}");
                }

                if (i + 1 >= args.Length)
                {
                    throw new UsageException($"option {a} needs a value");
                }

                if (!line._options.TryGetValue(name, out List<string>? values))
                {
                    values = [];
                    line._options[name] = values;
                }

                values.Add(args[++i]);
            }
            else
            {
                operands.Add(a);
            }
        }

        return line;
    }

    public bool Flag(string name) => _flags.Contains(name);

    public string? Option(string name) => _options.TryGetValue(name, out List<string>? v) ? v[^1] : null;

    public IReadOnlyList<string> Options(string name) => _options.TryGetValue(name, out List<string>? v) ? v : [];

    public string Required(string name) => Option(name) ?? throw new UsageException($"missing --{name}");
}

/// <summary>A usage error: exit 2 with the command's synopsis.</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
