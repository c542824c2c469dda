using IdNode.Core.Identifiers;
using IdNode.Core.Records;

namespace IdNode.Core.Node;

/// <summary>The node's identity and rules, resolved once from configuration.</summary>
public sealed class NodeSettings
{
    /// <summary>The normalised node prefix (e.g. <c>88.999</c>).</summary>
    public string Prefix { get; }
    public IdentifierRules Rules { get; }
    public RecordLimits Limits { get; }

    /// <summary>The bootstrap admin identity <c>300:{prefix}/ADMIN</c>.</summary>
    public string AdminHandle => Prefix + "/ADMIN";

    public NodeSettings(string prefix, IdentifierRules? rules = null, RecordLimits? limits = null)
    {
        if (!IdentifierParser.TryNormalizePrefix(prefix, out var normalized, out var error))
            throw new ArgumentException($"Invalid node prefix '{prefix}': {error.Message}", nameof(prefix));
        Prefix = normalized;
        Rules = rules ?? IdentifierRules.Default;
        Limits = limits ?? RecordLimits.Default;
    }

    /// <summary>True for the node prefix and every prefix derived from it.</summary>
    public bool IsAuthoritativeFor(ReadOnlySpan<char> normalizedPrefix)
        => IdentifierParser.IsSameOrDerived(normalizedPrefix, Prefix);
}
