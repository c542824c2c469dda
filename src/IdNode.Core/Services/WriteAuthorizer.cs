using IdNode.Core.Auth;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Node;
using IdNode.Core.Records;
using IdNode.Core.Registry;

namespace IdNode.Core.Services;

/// <summary>
/// Who may write what. The rules, in order:
/// 1. the node only accepts writes under its own prefix and derived ones (else rc 301);
/// 2. a write needs a principal (else rc 402);
/// 3. nobody writes under a stopped (or pending-delete) enterprise prefix (rc 401), nor under a
///    self-hosted one (rc 301 with a referral to the enterprise's node);
/// 4. the node admin may write everything under the node prefix;
/// 5. a partner never writes; an enterprise admin or writer writes only under its granted prefixes;
/// 6. a Handle identity administers its own prefix and prefixes derived from it
///    (<c>300:88.999.1/ADMIN</c> writes under <c>88.999.1</c> and <c>88.999.1.7</c>), and an HS_ADMIN
///    value of the existing record naming the identity grants what its permission bits say.
/// Anything else is rc 401 (insufficient permissions). Every denial is audited.
/// </summary>
public sealed class WriteAuthorizer(NodeSettings node, PrefixGate? gate = null, AuditLog? audit = null)
{
    public void EnsureResponsible(Identifier id)
    {
        if (!node.IsAuthoritativeFor(id.PrefixSpan))
            throw new HandleException(ResponseCode.ServerNotResponsible, $"Server not responsible for handle {id.Display}: this node serves prefix {node.Prefix} and prefixes derived from it");
    }

    public void Authorize(Principal? principal, Identifier id, HandleRecord? existing, AdminPermission needed)
    {
        EnsureResponsible(id);
        if (principal is null)
            throw Deny(null, id, needed, new HandleException(ResponseCode.AuthenticationNeeded, "Authentication needed"));
        if (gate?.Find(id.PrefixSpan) is { } gated)
            throw Deny(principal, id, needed, PrefixGate.Refusal(gated, id.Prefix, id.Display, write: true));
        if (CanWrite(principal, id, existing, needed))
            return;
        var why = principal.Role == PrincipalRole.Partner ? " (partners have read-only access)" : "";
        throw Deny(principal, id, needed,
            new HandleException(ResponseCode.InsufficientPermissions, $"Insufficient permissions: {principal.Name} may not modify {id.Display}{why}"));
    }

    public bool CanWrite(Principal principal, Identifier id, HandleRecord? existing, AdminPermission needed) => principal.Role switch
    {
        PrincipalRole.NodeAdmin => true,
        PrincipalRole.Partner => false,
        PrincipalRole.EnterpriseAdmin or PrincipalRole.EnterpriseWriter => principal.IsGranted(id.PrefixSpan),
        _ => principal.IdentityPrefix is { } own && IdentifierParser.IsSameOrDerived(id.PrefixSpan, own)
             || existing is not null && IsListedAdmin(principal, existing, needed),
    };

    /// <summary>May this principal read non-public values of the record?</summary>
    public bool CanReadPrivate(Principal principal, Identifier id, HandleRecord existing) => principal.Role switch
    {
        PrincipalRole.NodeAdmin => true,
        PrincipalRole.EnterpriseAdmin or PrincipalRole.EnterpriseWriter or PrincipalRole.Partner => principal.IsGranted(id.PrefixSpan),
        _ => principal.IdentityPrefix is { } own && IdentifierParser.IsSameOrDerived(id.PrefixSpan, own)
             || IsListedAdmin(principal, existing, AdminPermission.ReadValue),
    };

    /// <summary>
    /// Old versions may hold values that are no longer public: only those who may read private
    /// values of the prefix see an identifier's history. Throws rc 401 (audited) otherwise.
    /// </summary>
    public void EnsureCanReadHistory(Principal principal, Identifier id)
    {
        var allowed = principal.IsNodeAdmin || principal.IsGranted(id.PrefixSpan)
                      || principal.IdentityPrefix is { } own && IdentifierParser.IsSameOrDerived(id.PrefixSpan, own);
        if (!allowed)
        {
            audit?.Record(principal.Name, "history.read", id.Display, id.Prefix, principal.EnterpriseId, AuditEntry.Denied, "no grant for this prefix");
            throw new HandleException(ResponseCode.InsufficientPermissions, $"Insufficient permissions: {principal.Name} may not read the history of {id.Display}");
        }
    }

    private HandleException Deny(Principal? principal, Identifier id, AdminPermission needed, HandleException error)
    {
        audit?.Record(principal?.Name ?? "(anonymous)", "write:" + needed, id.Display, id.Prefix, principal?.EnterpriseId, AuditEntry.Denied, error.Message);
        return error;
    }

    private bool IsListedAdmin(Principal principal, HandleRecord record, AdminPermission needed)
    {
        if (principal.Identity is not { } identity)
            return false;
        foreach (var v in record.Values)
        {
            if (v.Data.Admin is not { } admin || !admin.Can(needed))
                continue;
            if (admin.Index != 0 && admin.Index != identity.Index)
                continue;
            if (IdentifierParser.TryParse(admin.Handle, node.Rules, out var adminId, out _) && adminId.Key == principal.HandleKey)
                return true;
        }
        return false;
    }
}
