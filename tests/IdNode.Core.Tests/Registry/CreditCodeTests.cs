using IdNode.Core.Registry;

namespace IdNode.Core.Tests.Registry;

public sealed class CreditCodeTests
{
    [Theory]
    [InlineData("91350100M000100Y43")]
    [InlineData("91110000600037341L")]
    public void Valid_codes_pass(string code) => Assert.Null(CreditCode.Validate(code));

    [Theory]
    [InlineData("91350100M000100Y44", "check character")]
    [InlineData("91350100M000100Y4", "18 characters")]
    [InlineData("91350100I000100Y43", "not one of")]
    [InlineData("91350100m000100Y43", "not one of")]
    [InlineData("９1350100M000100Y43", "not one of")]
    [InlineData("", "required")]
    public void Invalid_codes_name_the_rule(string code, string expected)
        => Assert.Contains(expected, CreditCode.Validate(code), StringComparison.Ordinal);
}
