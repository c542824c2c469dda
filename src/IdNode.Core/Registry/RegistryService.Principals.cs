using System.Globalization;
using IdNode.Core.Auth;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;

namespace IdNode.Core.Registry;

public sealed partial class RegistryService
{
    /// <summary>
    /// Creates a principal. The node admin may create any role for any enterprise and prefixes under
    /// the node; an enterprise admin only writers and partners of its own enterprise, within its own
    /// prefixes. Returns the account and its password (generated when none is given; shown once).
    /// </summary>
    public async Task<(PrincipalAccount Account, string Password)> CreatePrincipalAsync(Principal by, string? username, string? password, string? role,
        long? enterpriseId, IReadOnlyList<string>? prefixes, CancellationToken cancellationToken = default)
    {
        var name = Required(username, "username");
        ValidateUsername(name);
        if (!Enum.TryParse<PrincipalRole>(role, ignoreCase: true, out var r) || r == PrincipalRole.HandleIdentity || !Enum.IsDefined(r))
            throw Business("role must be one of NodeAdmin, EnterpriseAdmin, EnterpriseWriter, Partner");
        if (password is { Length: > 0 and < 8 })
            throw Business("password must be at least 8 characters");
        var granted = NormalizePrefixes(prefixes);

        if (!by.IsNodeAdmin)
        {
            if (by.Role != PrincipalRole.EnterpriseAdmin)
                throw Deny(by, "principal.create", name, null, enterpriseId, $"{by.Name} may not create principals");
            if (r is not (PrincipalRole.EnterpriseWriter or PrincipalRole.Partner))
                throw Deny(by, "principal.create", name, null, by.EnterpriseId, "an enterprise admin may create only EnterpriseWriter and Partner principals");
            if (enterpriseId is { } other && other != by.EnterpriseId)
                throw Deny(by, "principal.create", name, null, other, $"{by.Name} may not create principals of enterprise {other}");
            enterpriseId = by.EnterpriseId;
            if (granted.Count == 0)
                granted = by.Prefixes.ToList();
            foreach (var p in granted)
                if (!by.IsGranted(p))
                    throw Deny(by, "principal.create", name, p, enterpriseId, $"{by.Name} may not grant prefix {p}");
        }
        else if (r is PrincipalRole.EnterpriseAdmin or PrincipalRole.EnterpriseWriter && enterpriseId is null)
        {
            throw Business("enterpriseId is required for enterprise principals");
        }
        if (r is PrincipalRole.EnterpriseAdmin or PrincipalRole.EnterpriseWriter or PrincipalRole.Partner && granted.Count == 0)
            throw Business("prefixes: at least one prefix must be granted");

        var secret = password is { Length: > 0 } ? password : SecretHasher.NewSecret();
        var account = new PrincipalAccount(name, r, enterpriseId, granted, SecretHasher.Hash(secret), false, Now);
        if (!await registry.TryCreatePrincipalAsync(account, cancellationToken).ConfigureAwait(false))
            throw new HandleException(ResponseCode.HandleAlreadyExists, $"Username {name} is taken");
        audit.Record(by.Name, "principal.create", name, granted.FirstOrDefault(), enterpriseId, AuditEntry.Ok, $"{r} [{string.Join(' ', granted)}]");
        return (account, secret);
    }

    /// <summary>Changes a principal: enabled/disabled, granted prefixes, password. Every change revokes the principal's tokens.</summary>
    public async Task<PrincipalAccount> UpdatePrincipalAsync(Principal by, string username, bool? disabled, IReadOnlyList<string>? prefixes, string? password,
        CancellationToken cancellationToken = default)
    {
        var account = await GetPrincipalForAsync(by, username, "principal.update", cancellationToken).ConfigureAwait(false);
        if (password is { Length: > 0 and < 8 })
            throw Business("password must be at least 8 characters");
        var next = account;
        if (disabled is { } d)
            next = next with { Disabled = d };
        if (prefixes is not null)
        {
            var granted = NormalizePrefixes(prefixes);
            if (!by.IsNodeAdmin)
                foreach (var p in granted)
                    if (!by.IsGranted(p))
                        throw Deny(by, "principal.update", username, p, account.EnterpriseId, $"{by.Name} may not grant prefix {p}");
            next = next with { Prefixes = granted };
        }
        if (password is { Length: > 0 })
            next = next with { SecretHash = SecretHasher.Hash(password) };
        await registry.UpdatePrincipalAsync(next, cancellationToken).ConfigureAwait(false);
        await tokens.RevokeAllAsync(username, cancellationToken).ConfigureAwait(false);
        audit.Record(by.Name, "principal.update", username, next.Prefixes.FirstOrDefault(), next.EnterpriseId, AuditEntry.Ok,
            $"disabled={next.Disabled} prefixes=[{string.Join(' ', next.Prefixes)}]{(password is { Length: > 0 } ? " password changed" : "")}");
        return next;
    }

    public async Task<IReadOnlyList<PrincipalAccount>> ListPrincipalsAsync(Principal by, long? enterpriseId, CancellationToken cancellationToken = default)
    {
        if (!by.IsNodeAdmin)
        {
            if (by.Role != PrincipalRole.EnterpriseAdmin || enterpriseId is { } other && other != by.EnterpriseId)
                throw Deny(by, "principal.list", null, null, enterpriseId, $"{by.Name} may not list these principals");
            enterpriseId = by.EnterpriseId;
        }
        return await registry.ListPrincipalsAsync(enterpriseId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PrincipalAccount> GetPrincipalForAsync(Principal by, string username, string action, CancellationToken cancellationToken)
    {
        var account = await registry.GetPrincipalAsync(username, cancellationToken).ConfigureAwait(false);
        var allowed = by.IsNodeAdmin
                      || by.Role == PrincipalRole.EnterpriseAdmin && account is not null && account.EnterpriseId == by.EnterpriseId
                         && account.Role is PrincipalRole.EnterpriseWriter or PrincipalRole.Partner;
        if (!allowed)
            throw Deny(by, action, username, null, account?.EnterpriseId, $"{by.Name} may not manage principal {username}");
        return account ?? throw new HandleException(ResponseCode.HandleNotFound, $"Principal {username} not found");
    }

    /// <summary>May <paramref name="by"/> query the audit log for this enterprise (null: all)? Enterprise admins see only their own.</summary>
    public long? AuditScope(Principal by, long? enterpriseId)
    {
        if (by.IsNodeAdmin)
            return enterpriseId;
        if (by.Role == PrincipalRole.EnterpriseAdmin && (enterpriseId is null || enterpriseId == by.EnterpriseId))
            return by.EnterpriseId;
        throw Deny(by, "audit.read", enterpriseId?.ToString(CultureInfo.InvariantCulture), null, enterpriseId, $"{by.Name} may not read this audit log");
    }

    private List<string> NormalizePrefixes(IReadOnlyList<string>? prefixes)
    {
        var list = new List<string>();
        foreach (var raw in prefixes ?? [])
        {
            if (!IdentifierParser.TryNormalizePrefix(raw, out var p, out var error))
                throw Business($"prefix '{raw}': {error.Message}");
            if (!node.IsAuthoritativeFor(p) || p == node.Prefix)
                throw Business($"prefix '{raw}' must be an enterprise prefix under {node.Prefix}");
            if (!list.Contains(p))
                list.Add(p);
        }
        return list;
    }
}
