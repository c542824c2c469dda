namespace IdNode.Core.Identifiers;

/// <summary>Why an identifier was refused and where (0-based character position, -1 when not positional).</summary>
public readonly record struct ParseError(ParseErrorKind Kind, int Position = -1, int Limit = 0)
{
    public static readonly ParseError None = new(ParseErrorKind.None);

    public bool IsError => Kind != ParseErrorKind.None;

    public string Message => Kind switch
    {
        ParseErrorKind.None => "ok",
        ParseErrorKind.Empty => "Empty handle invalid",
        ParseErrorKind.NoSlash => "Invalid handle: no '/' between prefix and suffix",
        ParseErrorKind.EmptyPrefix => "Invalid handle: empty prefix",
        ParseErrorKind.EmptySegment => $"Invalid handle: empty prefix segment at position {Position}",
        ParseErrorKind.BadPrefixCharacter => $"Invalid handle: character not allowed in prefix at position {Position} (letters, digits, '-' and '_' only)",
        ParseErrorKind.EmptySuffix => "Invalid handle: empty suffix",
        ParseErrorKind.ControlCharacter => $"Invalid handle: control character at position {Position}",
        ParseErrorKind.InvalidText => $"Invalid handle: invalid UTF-16/UTF-8 text at position {Position}",
        ParseErrorKind.TooLong => $"Invalid handle: longer than {Limit}",
        _ => Kind.ToString(),
    };

    public override string ToString() => Message;
}
