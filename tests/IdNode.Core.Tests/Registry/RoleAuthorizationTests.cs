using IdNode.Core.Auth;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Node;
using IdNode.Core.Records;
using IdNode.Core.Registry;
using IdNode.Core.Services;

namespace IdNode.Core.Tests.Registry;

public sealed class RoleAuthorizationTests
{
    private static readonly NodeSettings Node = new("88.999");

    private static Identifier Id(string handle)
    {
        Assert.True(IdentifierParser.TryParse(handle, Node.Rules, out var id, out _));
        return id;
    }

    private static Principal Account(PrincipalRole role, params string[] prefixes)
        => Principal.ForAccount(new PrincipalAccount("u", role, 1, prefixes, "x", false, 0));

    private static readonly HandleRecord Record = new("88.999.1/a", 1, [new HandleValue(2001, "t", ValueData.FromString("v"))]);

    [Theory]
    [InlineData(PrincipalRole.EnterpriseAdmin, "88.999.1/a", true)]
    [InlineData(PrincipalRole.EnterpriseWriter, "88.999.1/a", true)]
    [InlineData(PrincipalRole.EnterpriseWriter, "88.999.1.5/a", true)]
    [InlineData(PrincipalRole.EnterpriseWriter, "88.999.10/a", false)]
    [InlineData(PrincipalRole.EnterpriseWriter, "88.999/a", false)]
    [InlineData(PrincipalRole.EnterpriseWriter, "88.999.2/a", false)]
    [InlineData(PrincipalRole.Partner, "88.999.1/a", false)]
    [InlineData(PrincipalRole.NodeAdmin, "88.999.2/a", true)]
    public void Writes_are_bounded_by_role_and_granted_prefixes(PrincipalRole role, string handle, bool allowed)
    {
        var authorizer = new WriteAuthorizer(Node);
        Assert.Equal(allowed, authorizer.CanWrite(Account(role, "88.999.1"), Id(handle), null, AdminPermission.AddHandle));
    }

    [Fact]
    public void Partners_read_private_values_of_granted_prefixes_only()
    {
        var authorizer = new WriteAuthorizer(Node);
        Assert.True(authorizer.CanReadPrivate(Account(PrincipalRole.Partner, "88.999.1"), Id("88.999.1/a"), Record));
        Assert.False(authorizer.CanReadPrivate(Account(PrincipalRole.Partner, "88.999.2"), Id("88.999.1/a"), Record));
    }

    [Fact]
    public void An_account_with_no_grants_writes_nothing()
        => Assert.False(new WriteAuthorizer(Node).CanWrite(Account(PrincipalRole.EnterpriseWriter), Id("88.999.1/a"), null, AdminPermission.AddHandle));

    [Fact]
    public void Nobody_writes_under_a_stopped_prefix_not_even_the_node_admin()
    {
        var gate = new PrefixGate();
        gate.Set("88.999.1", PrefixState.Stopped);
        var authorizer = new WriteAuthorizer(Node, gate);
        var e = Assert.Throws<HandleException>(() => authorizer.Authorize(Account(PrincipalRole.NodeAdmin), Id("88.999.1/a"), null, AdminPermission.AddHandle));
        Assert.Equal(ResponseCode.InsufficientPermissions, e.Code);
        Assert.Contains("stopped", e.Message, StringComparison.Ordinal);
    }
}
