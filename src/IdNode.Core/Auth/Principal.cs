using IdNode.Core.Identifiers;
using IdNode.Core.Registry;

namespace IdNode.Core.Auth;

/// <summary>
/// An authenticated caller: either a Handle identity (Basic against an HS_SECKEY value, or a token
/// issued to one) or a stored principal account. For a Handle identity <see cref="HandleKey"/> is the
/// normalised identity handle and <see cref="IdentityPrefix"/> its prefix, the part of the namespace
/// it administers; for an account, <see cref="Prefixes"/> are the granted (normalised) prefixes.
/// </summary>
public sealed record Principal
{
    public required string Name { get; init; }
    public required PrincipalRole Role { get; init; }
    public HandleIdentity? Identity { get; init; }
    public string? HandleKey { get; init; }
    public string? IdentityPrefix { get; init; }
    public IReadOnlyList<string> Prefixes { get; init; } = [];
    public long? EnterpriseId { get; init; }

    public bool IsNodeAdmin => Role == PrincipalRole.NodeAdmin;

    public static Principal ForHandleIdentity(HandleIdentity identity, string handleKey, string identityPrefix, bool isNodeAdmin) => new()
    {
        Name = identity.ToString(),
        Role = isNodeAdmin ? PrincipalRole.NodeAdmin : PrincipalRole.HandleIdentity,
        Identity = identity,
        HandleKey = handleKey,
        IdentityPrefix = identityPrefix,
    };

    public static Principal ForAccount(PrincipalAccount account) => new()
    {
        Name = account.Username,
        Role = account.Role,
        Prefixes = account.Prefixes,
        EnterpriseId = account.EnterpriseId,
    };

    /// <summary>True when one of the account's grants is <paramref name="normalizedPrefix"/> or a prefix it derives from.</summary>
    public bool IsGranted(ReadOnlySpan<char> normalizedPrefix)
    {
        foreach (var p in Prefixes)
            if (IdentifierParser.IsSameOrDerived(normalizedPrefix, p))
                return true;
        return false;
    }
}
