namespace IdNode.Core.Identifiers;

/// <summary>The rule an identifier broke. <see cref="None"/> means it parsed.</summary>
public enum ParseErrorKind
{
    None = 0,
    Empty,
    NoSlash,
    EmptyPrefix,
    EmptySegment,
    BadPrefixCharacter,
    EmptySuffix,
    ControlCharacter,
    InvalidText,
    TooLong,
}
