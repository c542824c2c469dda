using IdNode.Core.Registry;

namespace IdNode.Core.Ports;

/// <summary>
/// Principals, tokens, login throttling, enterprises, allocated prefixes and the audit log.
/// Implemented by each record store over its own database (same migrations list).
/// </summary>
public interface IRegistryStore
{
    Task<PrincipalAccount?> GetPrincipalAsync(string username, CancellationToken cancellationToken = default);

    /// <summary>False when the user name is taken.</summary>
    Task<bool> TryCreatePrincipalAsync(PrincipalAccount account, CancellationToken cancellationToken = default);

    /// <summary>Replaces the stored principal of the same user name; false when there is none.</summary>
    Task<bool> UpdatePrincipalAsync(PrincipalAccount account, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PrincipalAccount>> ListPrincipalsAsync(long? enterpriseId, CancellationToken cancellationToken = default);

    Task<LoginState> GetLoginStateAsync(string username, CancellationToken cancellationToken = default);

    Task SetLoginStateAsync(string username, LoginState state, CancellationToken cancellationToken = default);

    Task AddTokenAsync(TokenRecord token, CancellationToken cancellationToken = default);

    Task<TokenRecord?> GetTokenAsync(string hash, CancellationToken cancellationToken = default);

    /// <summary>Revokes one token (by hash) or every token of a user; returns how many were revoked.</summary>
    Task<int> RevokeTokensAsync(string? hash, string? username, CancellationToken cancellationToken = default);

    /// <summary>Stores a new application and returns its id.</summary>
    Task<long> CreateEnterpriseAsync(Enterprise enterprise, CancellationToken cancellationToken = default);

    Task<Enterprise?> GetEnterpriseAsync(long id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Enterprise>> ListEnterprisesAsync(PrefixState? state, CancellationToken cancellationToken = default);

    /// <summary>Compare-and-set on the state: replaces the enterprise only while its stored state is <paramref name="expectedState"/>.</summary>
    Task<bool> UpdateEnterpriseAsync(Enterprise enterprise, PrefixState expectedState, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that <paramref name="prefix"/> (number <paramref name="number"/> under the node) now
    /// belongs to the enterprise. False when it was ever allocated: rows are never removed, so a
    /// prefix is never reused.
    /// </summary>
    Task<bool> TryAllocatePrefixAsync(string prefix, long number, long enterpriseId, long at, CancellationToken cancellationToken = default);

    /// <summary>Every number ever allocated under the node, ascending.</summary>
    Task<IReadOnlyList<long>> AllocatedNumbersAsync(CancellationToken cancellationToken = default);

    Task AppendAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default);
}
