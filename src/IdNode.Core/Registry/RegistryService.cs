using System.Globalization;
using System.Text.RegularExpressions;
using IdNode.Core.Auth;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Node;
using IdNode.Core.Ports;

namespace IdNode.Core.Registry;

/// <summary>
/// Enterprise onboarding and review, prefix allocation and state, and principal management, with
/// the authorisation rules of the management API: the node admin may do everything; an enterprise
/// admin sees its own enterprise and manages its writers and partners within its prefixes; nobody
/// else manages anything. Every action and every denial is audited.
/// </summary>
public sealed partial class RegistryService(IRegistryStore registry, NodeSettings node, PrefixGate gate, AuditLog audit, TokenService tokens, TimeProvider? time = null)
{
    private const int MaxText = 200;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    // GB/T 4754: section letter, then 2-, 3- and 4-digit codes, each extending the previous one.
    [GeneratedRegex(@"^[A-T](?:/(\d{2})(?:/(\1\d)(?:/\2\d)?)?)?$")]
    private static partial Regex IndustryCode();

    [GeneratedRegex(@"^[A-Za-z0-9_.@-]{3,64}$")]
    private static partial Regex UsernamePattern();

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    public async Task<Enterprise> ApplyAsync(EnterpriseApplication a, Principal? by, CancellationToken cancellationToken = default)
    {
        var name = Required(a.Name, "name");
        var code = a.CreditCode?.Trim();
        if (CreditCode.Validate(code) is { } bad)
            throw Business(bad);
        var industry = Required(a.Industry, "industry");
        if (!IndustryCode().IsMatch(industry))
        {
            throw Business($"industry must be a GB/T 4754 code: a section letter then nested 2-, 3- and 4-digit codes, e.g. C/38/385/3851 (got '{industry}')");
        }
        long? requested = null;
        if (!string.IsNullOrWhiteSpace(a.RequestedPrefix))
            requested = ParseRequested(a.RequestedPrefix.Trim());
        var e = new Enterprise
        {
            Name = name,
            CreditCode = code!,
            Contact = Required(a.Contact, "contact"),
            Industry = industry,
            Town = Required(a.Town, "town"),
            Cluster = Required(a.Cluster, "cluster"),
            RequestedNumber = requested,
            AppliedAt = Now,
        };
        var id = await registry.CreateEnterpriseAsync(e, cancellationToken).ConfigureAwait(false);
        e = e with { Id = id };
        audit.Record(by?.Name ?? "(applicant)", "enterprise.apply", id.ToString(CultureInfo.InvariantCulture), null, id, AuditEntry.Ok, name);
        return e;
    }

    /// <summary>
    /// Approves an application: allocates the requested number when it was never allocated, else
    /// the smallest never-allocated number above it (above 0 when none was requested), and creates
    /// the enterprise admin. The application is claimed first (state 5, under review) so two
    /// admins approving at once cannot both allocate.
    /// </summary>
    public async Task<Approval> ApproveAsync(long id, Principal by, string? adminUsername, string? adminPassword, CancellationToken cancellationToken = default)
    {
        RequireNodeAdmin(by, "enterprise.approve", id);
        var e = await GetForAsync(id, by, cancellationToken).ConfigureAwait(false);
        if (e.State != PrefixState.AwaitingReview)
            throw Business($"Enterprise {id} is {e.State}, not awaiting review");
        var username = adminUsername?.Trim() is { Length: > 0 } u ? u : null;
        if (username is not null)
            ValidateUsername(username);
        if (adminPassword is { Length: > 0 and < 8 })
            throw Business("adminPassword must be at least 8 characters");

        var claimed = e with { State = PrefixState.UnderReview };
        if (!await registry.UpdateEnterpriseAsync(claimed, PrefixState.AwaitingReview, cancellationToken).ConfigureAwait(false))
            throw Business($"Enterprise {id} is being reviewed by someone else");
        try
        {
            var (number, prefix) = await AllocateAsync(id, e.RequestedNumber ?? 1, cancellationToken).ConfigureAwait(false);
            username ??= "admin@" + prefix;
            var password = adminPassword is { Length: > 0 } ? adminPassword : SecretHasher.NewSecret();
            var account = new PrincipalAccount(username, PrincipalRole.EnterpriseAdmin, id, [prefix], SecretHasher.Hash(password), false, Now);
            if (!await registry.TryCreatePrincipalAsync(account, cancellationToken).ConfigureAwait(false))
                throw Business($"Username {username} is taken");
            var approved = claimed with { State = PrefixState.Active, Prefix = prefix, AdminUsername = username, DecidedAt = Now, Reason = null };
            if (!await registry.UpdateEnterpriseAsync(approved, PrefixState.UnderReview, cancellationToken).ConfigureAwait(false))
                throw new HandleException(ResponseCode.Error, $"Enterprise {id} changed during approval");
            gate.Set(prefix, PrefixState.Active);
            audit.Record(by.Name, "enterprise.approve", id.ToString(CultureInfo.InvariantCulture), prefix, id, AuditEntry.Ok, $"prefix {prefix} (number {number}), admin {username}");
            return new Approval(approved, username, password);
        }
        catch
        {
            // Back to the queue; an allocated number stays allocated (never reused), which is harmless.
            await registry.UpdateEnterpriseAsync(e, PrefixState.UnderReview, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<(long Number, string Prefix)> AllocateAsync(long enterpriseId, long from, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 16; attempt++)
        {
            var taken = await registry.AllocatedNumbersAsync(cancellationToken).ConfigureAwait(false);
            var set = new HashSet<long>(taken);
            var n = from;
            while (set.Contains(n))
                n++;
            var prefix = node.Prefix + "." + n.ToString(CultureInfo.InvariantCulture);
            if (await registry.TryAllocatePrefixAsync(prefix, n, enterpriseId, Now, cancellationToken).ConfigureAwait(false))
                return (n, prefix);
        }
        throw new HandleException(ResponseCode.ServerTooBusy, "Could not allocate a prefix (too many concurrent approvals); retry");
    }

    public async Task<Enterprise> RejectAsync(long id, Principal by, string? reason, CancellationToken cancellationToken = default)
    {
        RequireNodeAdmin(by, "enterprise.reject", id);
        var why = Required(reason, "reason");
        var e = await GetForAsync(id, by, cancellationToken).ConfigureAwait(false);
        if (e.State != PrefixState.AwaitingReview)
            throw Business($"Enterprise {id} is {e.State}, not awaiting review");
        var rejected = e with { State = PrefixState.Rejected, Hosting = HostingState.Rejected, Reason = why, DecidedAt = Now };
        if (!await registry.UpdateEnterpriseAsync(rejected, PrefixState.AwaitingReview, cancellationToken).ConfigureAwait(false))
            throw Business($"Enterprise {id} changed meanwhile; reload and retry");
        audit.Record(by.Name, "enterprise.reject", id.ToString(CultureInfo.InvariantCulture), null, id, AuditEntry.Ok, why);
        return rejected;
    }

    /// <summary>Stops an active prefix: its identifiers refuse writes and resolve to rc 401 until resumed.</summary>
    public Task<Enterprise> StopAsync(long id, Principal by, string? reason, CancellationToken cancellationToken = default)
        => ChangeStateAsync(id, by, "enterprise.stop", PrefixState.Active, PrefixState.Stopped, reason, cancellationToken);

    public Task<Enterprise> ResumeAsync(long id, Principal by, CancellationToken cancellationToken = default)
        => ChangeStateAsync(id, by, "enterprise.resume", PrefixState.Stopped, PrefixState.Active, null, cancellationToken);

    private async Task<Enterprise> ChangeStateAsync(long id, Principal by, string action, PrefixState from, PrefixState to, string? reason, CancellationToken cancellationToken)
    {
        RequireNodeAdmin(by, action, id);
        var e = await GetForAsync(id, by, cancellationToken).ConfigureAwait(false);
        if (e.State != from)
            throw Business($"Enterprise {id} is {e.State}; only a {from} prefix can be changed to {to}");
        var next = e with { State = to, Reason = reason ?? e.Reason };
        if (!await registry.UpdateEnterpriseAsync(next, from, cancellationToken).ConfigureAwait(false))
            throw Business($"Enterprise {id} changed meanwhile; reload and retry");
        gate.Set(e.Prefix!, to, SiteOf(next));
        audit.Record(by.Name, action, id.ToString(CultureInfo.InvariantCulture), e.Prefix, id, AuditEntry.Ok, reason);
        return next;
    }

    public async Task<Enterprise> GetForAsync(long id, Principal by, CancellationToken cancellationToken = default)
    {
        var e = await registry.GetEnterpriseAsync(id, cancellationToken).ConfigureAwait(false);
        if (e is null || !by.IsNodeAdmin && by.EnterpriseId != id)
        {
            if (e is not null)
                throw Deny(by, "enterprise.read", id.ToString(CultureInfo.InvariantCulture), null, id, $"{by.Name} may not see enterprise {id}");
            throw new HandleException(ResponseCode.HandleNotFound, $"Enterprise {id} not found");
        }
        return e;
    }

    public async Task<IReadOnlyList<Enterprise>> ListAsync(Principal by, PrefixState? state, CancellationToken cancellationToken = default)
    {
        if (by.IsNodeAdmin)
            return await registry.ListEnterprisesAsync(state, cancellationToken).ConfigureAwait(false);
        if (by.Role == PrincipalRole.EnterpriseAdmin && by.EnterpriseId is { } own)
            return [await GetForAsync(own, by, cancellationToken).ConfigureAwait(false)];
        throw Deny(by, "enterprise.list", null, null, null, $"{by.Name} may not list enterprises");
    }

    /// <summary>Loads the stopped prefixes into the gate (at start and periodically, for changes made by other nodes).</summary>
    public async Task RefreshGateAsync(CancellationToken cancellationToken = default)
    {
        var all = await registry.ListEnterprisesAsync(null, cancellationToken).ConfigureAwait(false);
        gate.Load(all.Where(e => e.Prefix is not null).Select(e => (e.Prefix!, e.State, SiteOf(e))));
    }

    /// <summary>
    /// Hosts the enterprise's prefix here (<see cref="HostingState.Hosted"/>) or records that the
    /// enterprise runs its own node (<see cref="HostingState.NotHosted"/>, with that node's site):
    /// its identifiers then resolve to a referral and writes here are refused. Node admin only.
    /// The site is kept when switching back to hosted, so it can be switched again without it.
    /// </summary>
    public async Task<Enterprise> SetHostingAsync(long id, Principal by, HostingState hosting, string? site, CancellationToken cancellationToken = default)
    {
        RequireNodeAdmin(by, "enterprise.hosting", id);
        if (hosting is not (HostingState.Hosted or HostingState.NotHosted))
            throw Business($"hosting must be {(int)HostingState.NotHosted} (self-hosted: the enterprise runs its own node, give its site) or {(int)HostingState.Hosted} (hosted here)");
        var e = await GetForAsync(id, by, cancellationToken).ConfigureAwait(false);
        if (e.Prefix is null || e.State is not (PrefixState.Active or PrefixState.Stopped))
            throw Business($"Enterprise {id} is {e.State}; only an active or stopped prefix can change hosting");
        string? normalized = null;
        if (!string.IsNullOrWhiteSpace(site) || hosting == HostingState.NotHosted)
        {
            if (EnterpriseSite.Normalize(string.IsNullOrWhiteSpace(site) ? e.Site : site, out var n) is { } bad)
                throw Business(bad);
            normalized = n;
        }
        var next = e with { Hosting = hosting, Site = normalized ?? e.Site };
        if (!await registry.UpdateEnterpriseAsync(next, e.State, cancellationToken).ConfigureAwait(false))
            throw Business($"Enterprise {id} changed meanwhile; reload and retry");
        gate.Set(e.Prefix, next.State, SiteOf(next));
        audit.Record(by.Name, "enterprise.hosting", id.ToString(CultureInfo.InvariantCulture), e.Prefix, id, AuditEntry.Ok,
            $"hosting {e.Hosting} -> {hosting}, site {e.Site ?? "-"} -> {next.Site ?? "-"}");
        return next;
    }

    // The gate refers clients elsewhere only for a self-hosted prefix.
    private static string? SiteOf(Enterprise e) => e.Hosting == HostingState.NotHosted ? e.Site : null;

    private long ParseRequested(string text)
    {
        var digits = text;
        if (text.Contains('.', StringComparison.Ordinal))
        {
            if (!IdentifierParser.TryNormalizePrefix(text, out var p, out _) || !p.StartsWith(node.Prefix + ".", StringComparison.Ordinal)
                || p.AsSpan(node.Prefix.Length + 1).Contains('.'))
                throw Business($"requestedPrefix must be a number or a prefix directly under {node.Prefix} (e.g. {node.Prefix}.5)");
            digits = p[(node.Prefix.Length + 1)..];
        }
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 999_999_999 || digits.StartsWith('0'))
            throw Business($"requestedPrefix must be a number from 1 to 999999999 without leading zeros (got '{text}')");
        return n;
    }

    internal static string Required(string? value, string field)
    {
        var v = value?.Trim();
        if (string.IsNullOrEmpty(v))
            throw Business($"{field} is required");
        if (v.Length > MaxText)
            throw Business($"{field} must be at most {MaxText} characters");
        return v;
    }

    private static void ValidateUsername(string username)
    {
        if (!UsernamePattern().IsMatch(username))
            throw Business("username must be 3-64 characters of letters, digits, '_', '.', '@' or '-'");
    }

    private void RequireNodeAdmin(Principal by, string action, long? enterpriseId)
    {
        if (!by.IsNodeAdmin)
            throw Deny(by, action, enterpriseId?.ToString(CultureInfo.InvariantCulture), null, enterpriseId, $"{action} needs the node admin, not {by.Name}");
    }

    private HandleException Deny(Principal by, string action, string? target, string? prefix, long? enterpriseId, string message)
    {
        audit.Record(by.Name, action, target, prefix, enterpriseId, AuditEntry.Denied, message);
        return new HandleException(ResponseCode.InsufficientPermissions, "Insufficient permissions: " + message);
    }

    private static HandleException Business(string message) => new(ResponseCode.InvalidValue, message);
}
