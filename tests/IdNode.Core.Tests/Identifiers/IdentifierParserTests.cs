using IdNode.Core.Identifiers;

namespace IdNode.Core.Tests.Identifiers;

public class IdentifierParserTests
{
    [Theory]
    [InlineData("88.188.1001/PUMP-2026-000123", "88.188.1001/PUMP-2026-000123", "88.188.1001")]
    [InlineData("88.ABC.x/Suffix", "88.abc.x/Suffix", "88.abc.x")]
    [InlineData("88.999/a/b/c", "88.999/a/b/c", "88.999")]
    [InlineData("88.999/泵-001", "88.999/泵-001", "88.999")]
    [InlineData("88.999/a+b c", "88.999/a+b c", "88.999")]
    [InlineData("0.NA/88.999", "0.na/88.999", "0.na")]
    public void Valid_identifiers_normalise_the_prefix_only(string input, string key, string prefix)
    {
        Assert.True(Identifier.TryParse(input, out var id, out var error), error.Message);
        Assert.Equal(key, id.Key);
        Assert.Equal(prefix, id.Prefix);
        Assert.Equal(input, id.Display);
    }

    [Theory]
    [InlineData("", ParseErrorKind.Empty)]
    [InlineData(null, ParseErrorKind.Empty)]
    [InlineData("88.999", ParseErrorKind.NoSlash)]
    [InlineData("/abc", ParseErrorKind.EmptyPrefix)]
    [InlineData("88.999/", ParseErrorKind.EmptySuffix)]
    [InlineData("88..999/a", ParseErrorKind.EmptySegment)]
    [InlineData(".88/a", ParseErrorKind.EmptySegment)]
    [InlineData("88.999./a", ParseErrorKind.EmptySegment)]
    [InlineData("88 999/a", ParseErrorKind.BadPrefixCharacter)]
    [InlineData("88.9９9/a", ParseErrorKind.BadPrefixCharacter)]
    [InlineData("88.999/a\u0001b", ParseErrorKind.ControlCharacter)]
    [InlineData("88.999/a\u007fb", ParseErrorKind.ControlCharacter)]
    [InlineData("88.999/a\nb", ParseErrorKind.ControlCharacter)]
    public void Invalid_identifiers_name_the_rule_broken(string? input, ParseErrorKind kind)
    {
        Assert.False(Identifier.TryParse(input, out _, out var error));
        Assert.Equal(kind, error.Kind);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Lone_surrogates_are_not_text()
    {
        // Built at run time: attribute arguments are stored as UTF-8 and would lose a lone surrogate.
        foreach (var input in new[] { "88.999/a" + '\ud800' + "b", "88.999/a" + '\udc00', "88.999/" + '\ud83d' })
        {
            Assert.False(Identifier.TryParse(input, out _, out var error));
            Assert.Equal(ParseErrorKind.InvalidText, error.Kind);
        }
        Assert.True(Identifier.TryParse("88.999/emoji-\ud83d\ude00", out _, out _));
    }

    [Fact]
    public void Length_limit_is_the_configured_one()
    {
        var rules = new IdentifierRules(maxLength: 20);
        Assert.True(Identifier.TryParse("88.999/" + new string('x', 13), rules, out _, out _));
        Assert.False(Identifier.TryParse("88.999/" + new string('x', 14), rules, out _, out var error));
        Assert.Equal(ParseErrorKind.TooLong, error.Kind);
        Assert.Contains("20", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_limit_is_255_characters()
    {
        Assert.True(Identifier.TryParse("88.999/" + new string('x', 248), out _, out _));
        Assert.False(Identifier.TryParse("88.999/" + new string('x', 249), out _, out var error));
        Assert.Equal(ParseErrorKind.TooLong, error.Kind);
    }

    [Fact]
    public void The_protocol_bounds_utf8_bytes_at_2048_even_when_characters_fit()
    {
        var rules = new IdentifierRules(maxLength: 2048);
        var threeByteChars = "88.999/" + new string('泵', 700); // 707 chars, 2107 UTF-8 bytes
        Assert.False(Identifier.TryParse(threeByteChars, rules, out _, out var error));
        Assert.Equal(ParseErrorKind.TooLong, error.Kind);
        Assert.True(Identifier.TryParse("88.999/" + new string('泵', 600), rules, out _, out _));
    }

    [Fact]
    public void Suffix_case_is_a_node_setting()
    {
        Assert.True(Identifier.TryParse("88.999/Abc", new IdentifierRules(suffixCaseSensitive: true), out var sensitive, out _));
        Assert.True(Identifier.TryParse("88.999/Abc", new IdentifierRules(suffixCaseSensitive: false), out var insensitive, out _));
        Assert.Equal("88.999/Abc", sensitive.Key);
        Assert.Equal("88.999/ABC", insensitive.Key);
        Assert.True(Identifier.TryParse("88.999/aBC", new IdentifierRules(suffixCaseSensitive: false), out var other, out _));
        Assert.Equal(insensitive, other);
        Assert.NotEqual(sensitive, Identifier.Parse("88.999/aBC"));
    }

    [Theory]
    [InlineData("88.999", "88.999", true)]
    [InlineData("88.999.1", "88.999", true)]
    [InlineData("88.999.1.7", "88.999", true)]
    [InlineData("88.9991", "88.999", false)]
    [InlineData("88.99", "88.999", false)]
    [InlineData("88.188", "88.999", false)]
    public void Derived_prefixes_are_whole_segments(string prefix, string parent, bool derived)
        => Assert.Equal(derived, IdentifierParser.IsSameOrDerived(prefix, parent));

    [Fact]
    public void Span_normalisation_matches_string_parsing()
    {
        const string input = "88.XYZ.1/Part-9";
        Span<char> buffer = stackalloc char[input.Length];
        var error = IdentifierParser.Normalize(input, buffer, IdentifierRules.Default, out var slash);
        Assert.False(error.IsError);
        Assert.Equal(8, slash);
        Assert.Equal(Identifier.Parse(input).Key, buffer.ToString());
    }
}
