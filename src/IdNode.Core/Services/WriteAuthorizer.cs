using IdNode.Core.Auth;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Node;
using IdNode.Core.Records;

namespace IdNode.Core.Services;

/// <summary>
/// Who may write what. The rules, in order:
/// 1. the node only accepts writes under its own prefix and derived ones (else rc 301);
/// 2. a write needs a principal (else rc 402);
/// 3. the node admin (<c>300:{node}/ADMIN</c>) may write everything under the node prefix;
/// 4. an identity administers its own prefix and prefixes derived from it
///    (<c>300:88.999.1/ADMIN</c> writes under <c>88.999.1</c> and <c>88.999.1.7</c>);
/// 5. an HS_ADMIN value of the existing record naming the identity grants what its permission bits say.
/// Anything else is rc 401 (insufficient permissions).
/// </summary>
public sealed class WriteAuthorizer(NodeSettings node)
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
            throw new HandleException(ResponseCode.AuthenticationNeeded, "Authentication needed");
        if (CanWrite(principal, id, existing, needed))
            return;
        throw new HandleException(ResponseCode.InsufficientPermissions, $"Insufficient permissions: {principal.Name} may not modify {id.Display}");
    }

    public bool CanWrite(Principal principal, Identifier id, HandleRecord? existing, AdminPermission needed)
    {
        if (principal.IsNodeAdmin)
            return true;
        if (IdentifierParser.IsSameOrDerived(id.PrefixSpan, principal.IdentityPrefix))
            return true;
        return existing is not null && IsListedAdmin(principal, existing, needed);
    }

    /// <summary>May this principal read non-public values of the record?</summary>
    public bool CanReadPrivate(Principal principal, Identifier id, HandleRecord existing)
        => principal.IsNodeAdmin
           || IdentifierParser.IsSameOrDerived(id.PrefixSpan, principal.IdentityPrefix)
           || IsListedAdmin(principal, existing, AdminPermission.ReadValue);

    private bool IsListedAdmin(Principal principal, HandleRecord record, AdminPermission needed)
    {
        foreach (var v in record.Values)
        {
            if (v.Data.Admin is not { } admin || !admin.Can(needed))
                continue;
            if (admin.Index != 0 && admin.Index != principal.Identity.Index)
                continue;
            if (IdentifierParser.TryParse(admin.Handle, node.Rules, out var adminId, out _) && adminId.Key == principal.HandleKey)
                return true;
        }
        return false;
    }
}
