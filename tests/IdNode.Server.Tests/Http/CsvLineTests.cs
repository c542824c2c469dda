using IdNode.Server.Http;

namespace IdNode.Server.Tests.Http;

public sealed class CsvLineTests
{
    [Theory]
    [InlineData("a,b,c", new[] { "a", "b", "c" })]
    [InlineData("a,,c,", new[] { "a", "", "c", "" })]
    [InlineData("\"x,y\",\"\",\"say \"\"hi\"\"\"", new[] { "x,y", "", "say \"hi\"" })]
    [InlineData("", new[] { "" })]
    public void Fields_are_split_with_quotes_and_doubled_quotes(string line, string[] expected)
    {
        var fields = new List<string>();
        Assert.Null(CsvLine.Split(line, fields));
        Assert.Equal(expected, fields);
    }

    [Theory]
    [InlineData("a,\"open", "not closed", 1)]
    [InlineData("a,\"x\"y,c", "text after the closing quote", 2)]
    [InlineData("a,b\"c", "quote inside an unquoted field", 1)]
    public void Malformed_lines_say_what_is_wrong_and_keep_the_fields_before_it(string line, string reason, int kept)
    {
        var fields = new List<string>();
        Assert.Contains(reason, CsvLine.Split(line, fields), StringComparison.Ordinal);
        Assert.Equal(kept, fields.Count);
        Assert.Equal("a", fields[0]);
    }
}
