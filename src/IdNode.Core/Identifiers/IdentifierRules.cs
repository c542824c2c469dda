namespace IdNode.Core.Identifiers;

/// <summary>The node's identifier settings. Immutable; built once from configuration.</summary>
public sealed class IdentifierRules
{
    /// <summary>The protocol's hard limit on an encoded identifier (Handle string: UTF-8 bytes).</summary>
    public const int ProtocolMaxBytes = 2048;

    public static readonly IdentifierRules Default = new();

    /// <summary>Maximum length of a whole identifier in characters (default 255, the SNMS field limit).</summary>
    public int MaxLength { get; }

    /// <summary>When false, suffixes compare ignoring case (normalised to upper case). Default: true (sensitive).</summary>
    public bool SuffixCaseSensitive { get; }

    public IdentifierRules(int maxLength = 255, bool suffixCaseSensitive = true)
    {
        if (maxLength is < 3 or > ProtocolMaxBytes)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"must be between 3 and {ProtocolMaxBytes}");
        MaxLength = maxLength;
        SuffixCaseSensitive = suffixCaseSensitive;
    }
}
