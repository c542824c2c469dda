using System.Text;

namespace IdNode.Core.Identifiers;

/// <summary>
/// Parses and normalises identifiers without throwing. The span overloads write the normalised
/// key into a caller buffer so the resolve hot path can look up its cache without allocating.
/// </summary>
public static class IdentifierParser
{
    public static bool TryParse(string? text, IdentifierRules rules, out Identifier identifier, out ParseError error)
    {
        identifier = default;
        if (string.IsNullOrEmpty(text))
        {
            error = new ParseError(ParseErrorKind.Empty);
            return false;
        }
        if (text.Length > rules.MaxLength)
        {
            error = new ParseError(ParseErrorKind.TooLong, rules.MaxLength, rules.MaxLength);
            return false;
        }
        Span<char> buffer = stackalloc char[text.Length];
        error = Normalize(text, buffer, rules, out var slash);
        if (error.IsError)
            return false;
        var key = buffer.SequenceEqual(text) ? text : new string(buffer);
        identifier = new Identifier(key, text, slash);
        return true;
    }

    /// <summary>
    /// Validates <paramref name="text"/> and writes its normalised key (same length) into
    /// <paramref name="destination"/>, which must be at least as long as the input.
    /// </summary>
    public static ParseError Normalize(ReadOnlySpan<char> text, Span<char> destination, IdentifierRules rules, out int slash)
    {
        slash = -1;
        if (text.IsEmpty)
            return new ParseError(ParseErrorKind.Empty);
        if (text.Length > rules.MaxLength)
            return new ParseError(ParseErrorKind.TooLong, rules.MaxLength, rules.MaxLength);

        slash = text.IndexOf('/');
        if (slash < 0)
            return new ParseError(ParseErrorKind.NoSlash);
        if (slash == 0)
            return new ParseError(ParseErrorKind.EmptyPrefix, 0);

        var error = NormalizePrefix(text[..slash], destination);
        if (error.IsError)
            return error;
        destination[slash] = '/';

        var suffix = text[(slash + 1)..];
        if (suffix.IsEmpty)
            return new ParseError(ParseErrorKind.EmptySuffix, slash + 1);
        var dest = destination.Slice(slash + 1, suffix.Length);
        for (var i = 0; i < suffix.Length; i++)
        {
            var c = suffix[i];
            if (char.IsControl(c))
                return new ParseError(ParseErrorKind.ControlCharacter, slash + 1 + i);
            if (char.IsSurrogate(c))
            {
                // Only well-formed pairs are text; a lone surrogate cannot be encoded as UTF-8.
                if (!char.IsHighSurrogate(c) || i + 1 >= suffix.Length || !char.IsLowSurrogate(suffix[i + 1]))
                    return new ParseError(ParseErrorKind.InvalidText, slash + 1 + i);
                dest[i] = c;
                dest[i + 1] = suffix[i + 1];
                i++;
                continue;
            }
            dest[i] = rules.SuffixCaseSensitive ? c : char.ToUpperInvariant(c);
        }

        // Length in characters is the configured rule; the protocol bounds the UTF-8 encoding.
        if (text.Length * 3 > IdentifierRules.ProtocolMaxBytes && Encoding.UTF8.GetByteCount(text) > IdentifierRules.ProtocolMaxBytes)
            return new ParseError(ParseErrorKind.TooLong, IdentifierRules.ProtocolMaxBytes, IdentifierRules.ProtocolMaxBytes);
        return ParseError.None;
    }

    /// <summary>Validates a bare prefix (<c>88.999.1</c>) and writes it lower-cased.</summary>
    public static ParseError NormalizePrefix(ReadOnlySpan<char> prefix, Span<char> destination)
    {
        if (prefix.IsEmpty)
            return new ParseError(ParseErrorKind.EmptyPrefix, 0);
        var segmentStart = 0;
        for (var i = 0; i < prefix.Length; i++)
        {
            var c = prefix[i];
            if (c == '.')
            {
                if (i == segmentStart)
                    return new ParseError(ParseErrorKind.EmptySegment, i);
                segmentStart = i + 1;
                destination[i] = '.';
                continue;
            }
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            {
                destination[i] = char.ToLowerInvariant(c);
                continue;
            }
            return char.IsControl(c)
                ? new ParseError(ParseErrorKind.ControlCharacter, i)
                : new ParseError(ParseErrorKind.BadPrefixCharacter, i);
        }
        if (segmentStart == prefix.Length)
            return new ParseError(ParseErrorKind.EmptySegment, prefix.Length);
        return ParseError.None;
    }

    /// <summary>Normalises a bare prefix; false with the rule broken on bad input.</summary>
    public static bool TryNormalizePrefix(string? prefix, out string normalized, out ParseError error)
    {
        normalized = "";
        if (string.IsNullOrEmpty(prefix))
        {
            error = new ParseError(ParseErrorKind.EmptyPrefix, 0);
            return false;
        }
        if (prefix.Length > 255)
        {
            error = new ParseError(ParseErrorKind.TooLong, 255, 255);
            return false;
        }
        Span<char> buffer = stackalloc char[prefix.Length];
        error = NormalizePrefix(prefix, buffer);
        if (error.IsError)
            return false;
        normalized = buffer.SequenceEqual(prefix) ? prefix : new string(buffer);
        return true;
    }

    /// <summary>True when <paramref name="prefix"/> is <paramref name="parent"/> or derived from it (<c>88.999</c> → <c>88.999.1.7</c>). Both normalised.</summary>
    public static bool IsSameOrDerived(ReadOnlySpan<char> prefix, ReadOnlySpan<char> parent)
        => prefix.StartsWith(parent, StringComparison.Ordinal)
           && (prefix.Length == parent.Length || prefix[parent.Length] == '.');
}
