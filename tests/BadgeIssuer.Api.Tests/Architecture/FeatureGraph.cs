using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace BadgeIssuer.Api.Tests.Architecture;

/// <summary>
/// Which module of an assembly uses which other: a module's types (with their nested and compiler-generated types) refer
/// to another module's types through their base types, interfaces, attributes, fields, properties, method signatures,
/// generic constraints and, read from the IL, everything their method bodies touch (types, methods, fields, tokens).
/// </summary>
internal sealed class FeatureGraph
{
    private static readonly Dictionary<short, OpCode> s_opCodes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private readonly Func<Type, string?> _moduleOf;

    private FeatureGraph(Func<Type, string?> moduleOf) => _moduleOf = moduleOf;

    /// <summary>Module → the modules it uses, each edge with one example use ("Type uses Type") for the failure message.</summary>
    public SortedDictionary<string, SortedDictionary<string, string>> Edges { get; } = new(StringComparer.Ordinal);

    /// <summary>The graph of <paramref name="types"/>, whose module <paramref name="moduleOf"/> names (null: not in any module).</summary>
    public static FeatureGraph Build(IEnumerable<Type> types, Func<Type, string?> moduleOf)
    {
        var graph = new FeatureGraph(moduleOf);
        foreach (Type type in types)
        {
            if (moduleOf(type) is { } module)
            {
                graph.AddUsesOf(type, module);
            }
        }

        return graph;
    }

    /// <summary>
    /// One cycle of the graph as a path that ends where it starts (<c>Issue → Issuers → Issue</c>), each step with its
    /// example use; null when the graph has none.
    /// </summary>
    public IReadOnlyList<(string From, string To, string Example)>? FindCycle()
    {
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the current path; true: done.
        var path = new List<string>();
        foreach (string start in Edges.Keys)
        {
            if (!state.ContainsKey(start) && Visit(start, state, path) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    /// <summary>The modules <paramref name="module"/> uses, each with its example use.</summary>
    public IReadOnlyDictionary<string, string> UsesOf(string module) =>
        Edges.TryGetValue(module, out SortedDictionary<string, string>? uses) ? uses : new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The graph, one line per edge: <c>Issue → Issuers (IssueApi uses IssuerService)</c>.</summary>
    public string Describe() => string.Join(
        Environment.NewLine,
        Edges.SelectMany(e => e.Value.Select(u => $"{e.Key} → {u.Key} ({u.Value})")));

    private List<(string From, string To, string Example)>? Visit(string module, Dictionary<string, bool> state, List<string> path)
    {
        state[module] = false;
        path.Add(module);
        foreach (KeyValuePair<string, string> use in UsesOf(module))
        {
            if (!state.TryGetValue(use.Key, out bool done))
            {
                if (Visit(use.Key, state, path) is { } cycle)
                {
                    return cycle;
                }
            }
            else if (!done)
            {
                // use.Key is on the current path: the cycle is the path from it, closed by this use.
                var cycle = new List<(string From, string To, string Example)>();
                for (int i = path.IndexOf(use.Key); i < path.Count - 1; i++)
                {
                    cycle.Add((path[i], path[i + 1], Edges[path[i]][path[i + 1]]));
                }

                cycle.Add((module, use.Key, use.Value));
                return cycle;
            }
        }

        path.RemoveAt(path.Count - 1);
        state[module] = true;
        return null;
    }

    private void AddUsesOf(Type type, string module)
    {
        void Use(Type? used) => AddUse(type, module, used);

        Use(type.BaseType);
        foreach (Type implemented in type.GetInterfaces())
        {
            Use(implemented);
        }

        if (type.IsGenericTypeDefinition)
        {
            foreach (Type parameter in type.GetGenericArguments())
            {
                UseConstraints(parameter, Use);
            }
        }

        UseAttributes(type.CustomAttributes, Use);
        foreach (FieldInfo field in type.GetFields(Declared))
        {
            Use(field.FieldType);
            UseAttributes(field.CustomAttributes, Use);
        }

        foreach (PropertyInfo property in type.GetProperties(Declared))
        {
            Use(property.PropertyType);
            UseAttributes(property.CustomAttributes, Use);
        }

        foreach (EventInfo @event in type.GetEvents(Declared))
        {
            Use(@event.EventHandlerType);
        }

        foreach (MethodBase method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            UseAttributes(method.CustomAttributes, Use);
            foreach (ParameterInfo parameter in method.GetParameters())
            {
                Use(parameter.ParameterType);
                UseAttributes(parameter.CustomAttributes, Use);
            }

            if (method is MethodInfo info)
            {
                Use(info.ReturnType);
                if (info.IsGenericMethodDefinition)
                {
                    foreach (Type parameter in info.GetGenericArguments())
                    {
                        UseConstraints(parameter, Use);
                    }
                }
            }

            UseBody(method, Use);
        }
    }

    private static void UseConstraints(Type parameter, Action<Type?> use)
    {
        foreach (Type constraint in parameter.GetGenericParameterConstraints())
        {
            use(constraint);
        }
    }

    private static void UseAttributes(IEnumerable<CustomAttributeData> attributes, Action<Type?> use)
    {
        foreach (CustomAttributeData attribute in attributes)
        {
            use(attribute.AttributeType);
            foreach (CustomAttributeTypedArgument argument in attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(a => a.TypedValue)))
            {
                use(argument.Value as Type);
            }
        }
    }

    /// <summary>Every type, method and field a method body names, read from its IL.</summary>
    private static void UseBody(MethodBase method, Action<Type?> use)
    {
        MethodBody? body;
        try
        {
            body = method.GetMethodBody();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
        {
            return;
        }

        if (body is null)
        {
            return;
        }

        foreach (LocalVariableInfo local in body.LocalVariables)
        {
            use(local.LocalType);
        }

        foreach (ExceptionHandlingClause clause in body.ExceptionHandlingClauses)
        {
            if (clause.Flags == ExceptionHandlingClauseOptions.Clause)
            {
                use(clause.CatchType);
            }
        }

        byte[] il = body.GetILAsByteArray() ?? [];
        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int at = 0;
        while (at < il.Length)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            OpCode code = s_opCodes[value];
            switch (code.OperandType)
            {
                case OperandType.InlineType:
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                case OperandType.InlineTok:
                    MemberInfo? member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                    UseMember(member, use);
                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    at += 8;
                    break;
                default:
                    // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR.
                    at += 4;
                    break;
            }
        }
    }

    private static void UseMember(MemberInfo? member, Action<Type?> use)
    {
        switch (member)
        {
            case Type type:
                use(type);
                break;
            case FieldInfo field:
                use(field.DeclaringType);
                use(field.FieldType);
                break;
            case MethodBase called:
                use(called.DeclaringType);
                if (called.IsGenericMethod)
                {
                    foreach (Type argument in called.GetGenericArguments())
                    {
                        use(argument);
                    }
                }

                foreach (ParameterInfo parameter in called.GetParameters())
                {
                    use(parameter.ParameterType);
                }

                if (called is MethodInfo info)
                {
                    use(info.ReturnType);
                }

                break;
        }
    }

    private void AddUse(Type user, string module, Type? used)
    {
        foreach (Type part in Parts(used))
        {
            if (_moduleOf(part) is { } other && !string.Equals(other, module, StringComparison.Ordinal))
            {
                if (!Edges.TryGetValue(module, out SortedDictionary<string, string>? uses))
                {
                    uses = new SortedDictionary<string, string>(StringComparer.Ordinal);
                    Edges[module] = uses;
                }

                uses.TryAdd(other, $"{Readable(user)} uses {Readable(part)}");
            }
        }
    }

    /// <summary>A type and what it is made of: element types, generic arguments and declaring types.</summary>
    private static IEnumerable<Type> Parts(Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            yield break;
        }

        if (type.HasElementType)
        {
            foreach (Type part in Parts(type.GetElementType()))
            {
                yield return part;
            }

            yield break;
        }

        yield return type;
        if (type.IsConstructedGenericType)
        {
            foreach (Type part in type.GetGenericArguments().SelectMany(Parts))
            {
                yield return part;
            }
        }
    }

    /// <summary>A type's name as written in source: the outermost type that is not compiler-generated, with its namespace.</summary>
    private static string Readable(Type type)
    {
        Type shown = type;
        while (shown.DeclaringType is { } outer && (shown.IsDefined(typeof(CompilerGeneratedAttribute), false) || shown.Name.Contains('<', StringComparison.Ordinal)))
        {
            shown = outer;
        }

        return shown.IsGenericType ? shown.FullName?.Split('`')[0] ?? shown.Name : shown.FullName ?? shown.Name;
    }
}
