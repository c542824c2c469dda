using IdNode.Core.Auth;

namespace IdNode.Core.Tests.Auth;

public class SecretTests
{
    [Fact]
    public void Hashes_are_salted_and_verify_only_the_right_secret()
    {
        var a = SecretHasher.Hash("s3cret", iterations: 1000);
        var b = SecretHasher.Hash("s3cret", iterations: 1000);
        Assert.NotEqual(a, b);
        Assert.DoesNotContain("s3cret", a, StringComparison.Ordinal);
        Assert.True(SecretHasher.Verify("s3cret", a));
        Assert.False(SecretHasher.Verify("s3cret ", a));
        Assert.False(SecretHasher.Verify("s3cret", "plain"));
        Assert.False(SecretHasher.Verify("s3cret", "$pbkdf2-sha256$x$y$z"));
    }

    [Theory]
    [InlineData("300%3A88.999/ADMIN", 300, "88.999/ADMIN")]
    [InlineData("300:88.999/ADMIN", 300, "88.999/ADMIN")]
    [InlineData("7%3a88.999.1/a:b", 7, "88.999.1/a:b")]
    public void Identities_parse(string text, int index, string handle)
    {
        Assert.True(HandleIdentity.TryParse(text, out var id));
        Assert.Equal(index, id.Index);
        Assert.Equal(handle, id.Handle);
    }

    [Theory]
    [InlineData("")]
    [InlineData("88.999/ADMIN")]
    [InlineData("x:88.999/ADMIN")]
    [InlineData("0:88.999/ADMIN")]
    [InlineData("300:")]
    public void Bad_identities_do_not_parse(string text) => Assert.False(HandleIdentity.TryParse(text, out _));
}
