using IdNode.Core.Auth;

namespace IdNode.Core.Registry;

public sealed partial class RegistryService
{
    public const int MaxAuditRows = 1000;

    /// <summary>
    /// The audit entries <paramref name="by"/> may see matching <paramref name="query"/>, newest first:
    /// the node admin any, an enterprise admin only its own enterprise's (denials audited). Waits for
    /// entries recorded before the call, so an action is visible right after it returns.
    /// </summary>
    public async Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(Principal by, AuditQuery query, CancellationToken cancellationToken = default)
    {
        var scoped = query with { EnterpriseId = AuditScope(by, query.EnterpriseId), Limit = Math.Clamp(query.Limit, 1, MaxAuditRows) };
        await audit.FlushAsync(cancellationToken).ConfigureAwait(false);
        return await registry.QueryAuditAsync(scoped, cancellationToken).ConfigureAwait(false);
    }
}
