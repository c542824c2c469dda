using System.Diagnostics.CodeAnalysis;

namespace IdNode.Core.Identifiers;

/// <summary>
/// A parsed identifier <c>prefix/suffix</c>. <see cref="Key"/> is the normalised form used for
/// lookups (prefix lower-cased, suffix upper-cased when the node ignores suffix case);
/// <see cref="Display"/> keeps the spelling the client used.
/// </summary>
public readonly struct Identifier : IEquatable<Identifier>
{
    private readonly int _slash;

    public string Key { get; }
    public string Display { get; }

    internal Identifier(string key, string display, int slash)
    {
        Key = key;
        Display = display;
        _slash = slash;
    }

    public bool IsDefault => Key is null;

    /// <summary>Normalised prefix (lower case).</summary>
    public ReadOnlySpan<char> PrefixSpan => Key.AsSpan(0, _slash);
    public string Prefix => Key[.._slash];
    public string DisplaySuffix => Display[(_slash + 1)..];

    public static bool TryParse(string? text, IdentifierRules rules, out Identifier identifier, out ParseError error)
        => IdentifierParser.TryParse(text, rules, out identifier, out error);

    public static bool TryParse(string? text, out Identifier identifier, out ParseError error)
        => IdentifierParser.TryParse(text, IdentifierRules.Default, out identifier, out error);

    [SuppressMessage("Usage", "CA2225", Justification = "Parse is the named alternative.")]
    public static Identifier Parse(string text, IdentifierRules? rules = null)
        => IdentifierParser.TryParse(text, rules ?? IdentifierRules.Default, out var id, out var error)
            ? id
            : throw new FormatException(error.Message);

    public bool Equals(Identifier other) => string.Equals(Key, other.Key, StringComparison.Ordinal);
    public override bool Equals(object? obj) => obj is Identifier other && Equals(other);
    public override int GetHashCode() => Key is null ? 0 : StringComparer.Ordinal.GetHashCode(Key);
    public static bool operator ==(Identifier left, Identifier right) => left.Equals(right);
    public static bool operator !=(Identifier left, Identifier right) => !left.Equals(right);
    public override string ToString() => Display ?? "";
}
