using IdNode.Core.Ports;
using IdNode.Core.Registry;

namespace IdNode.Storage.Contract;

/// <summary>What every <see cref="IRegistryStore"/> must do; a fresh, empty store per test.</summary>
public abstract class RegistryStoreContract : IAsyncLifetime
{
    private IRegistryStore? _store;

    protected IRegistryStore Store => _store ?? throw new InvalidOperationException("store not created");

    protected abstract Task<IRegistryStore> CreateStoreAsync();

    protected abstract Task DisposeStoreAsync(IRegistryStore store);

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
            await DisposeStoreAsync(_store);
    }

    private static PrincipalAccount Account(string name, long? enterprise = 7, params string[] prefixes)
        => new(name, PrincipalRole.EnterpriseWriter, enterprise, prefixes, "$pbkdf2-sha256$1$AA==$AA==", false, 100);

    [SkippableFact]
    public async Task Principals_are_created_once_read_updated_and_listed_by_enterprise()
    {
        Assert.True(await Store.TryCreatePrincipalAsync(Account("alice", 7, "88.999.1", "88.999.2")));
        Assert.False(await Store.TryCreatePrincipalAsync(Account("alice", 8)));
        Assert.True(await Store.TryCreatePrincipalAsync(Account("bob", 8)));
        var alice = await Store.GetPrincipalAsync("alice");
        Assert.NotNull(alice);
        Assert.Equal(["88.999.1", "88.999.2"], alice.Prefixes);
        Assert.Equal(7, alice.EnterpriseId);
        Assert.Null(await Store.GetPrincipalAsync("ALICE"));

        Assert.True(await Store.UpdatePrincipalAsync(alice with { Role = PrincipalRole.Partner, Disabled = true, Prefixes = [] }));
        var updated = (await Store.GetPrincipalAsync("alice"))!;
        Assert.Equal(PrincipalRole.Partner, updated.Role);
        Assert.True(updated.Disabled);
        Assert.Empty(updated.Prefixes);
        Assert.False(await Store.UpdatePrincipalAsync(Account("nobody")));

        Assert.Equal(["alice"], (await Store.ListPrincipalsAsync(7)).Select(p => p.Username));
        Assert.Equal(["alice", "bob"], (await Store.ListPrincipalsAsync(null)).Select(p => p.Username));
    }

    [SkippableFact]
    public async Task Login_state_is_kept_and_cleared()
    {
        Assert.Equal(LoginState.Clean, await Store.GetLoginStateAsync("x"));
        await Store.SetLoginStateAsync("x", new LoginState(3, 0));
        await Store.SetLoginStateAsync("x", new LoginState(0, 999));
        Assert.Equal(new LoginState(0, 999), await Store.GetLoginStateAsync("x"));
        await Store.SetLoginStateAsync("x", LoginState.Clean);
        Assert.Equal(LoginState.Clean, await Store.GetLoginStateAsync("x"));
    }

    [SkippableFact]
    public async Task Tokens_are_found_by_hash_and_revoked_one_or_all()
    {
        await Store.AddTokenAsync(new TokenRecord("h1", "alice", 1, 100, false));
        await Store.AddTokenAsync(new TokenRecord("h2", "alice", 1, 100, false));
        await Store.AddTokenAsync(new TokenRecord("h3", "bob", 1, 100, false));
        Assert.Equal(new TokenRecord("h1", "alice", 1, 100, false), await Store.GetTokenAsync("h1"));
        Assert.Null(await Store.GetTokenAsync("nope"));
        Assert.Equal(1, await Store.RevokeTokensAsync("h1", null));
        Assert.True((await Store.GetTokenAsync("h1"))!.Revoked);
        Assert.Equal(1, await Store.RevokeTokensAsync(null, "alice"));
        Assert.True((await Store.GetTokenAsync("h2"))!.Revoked);
        Assert.False((await Store.GetTokenAsync("h3"))!.Revoked);
    }

    [SkippableFact]
    public async Task Enterprises_get_ids_and_update_only_from_the_expected_state()
    {
        var e = new Enterprise { Name = "Acme 五金", CreditCode = "91350100M000100Y43", Contact = "li@acme.cn", Industry = "C/33/331/3311", Town = "小榄镇", Cluster = "hardware", RequestedNumber = 5, AppliedAt = 10 };
        var id = await Store.CreateEnterpriseAsync(e);
        var id2 = await Store.CreateEnterpriseAsync(e with { Name = "Other" });
        Assert.NotEqual(id, id2);
        var read = (await Store.GetEnterpriseAsync(id))!;
        Assert.Equal(e with { Id = id }, read);

        var approved = read with { State = PrefixState.Active, Prefix = "88.999.5" };
        Assert.True(await Store.UpdateEnterpriseAsync(approved, PrefixState.AwaitingReview));
        Assert.False(await Store.UpdateEnterpriseAsync(approved with { State = PrefixState.Rejected }, PrefixState.AwaitingReview));
        Assert.Equal(approved, await Store.GetEnterpriseAsync(id));
        Assert.Equal([id], (await Store.ListEnterprisesAsync(PrefixState.Active)).Select(x => x.Id));
        Assert.Equal(2, (await Store.ListEnterprisesAsync(null)).Count);
        Assert.Null(await Store.GetEnterpriseAsync(999_999));
    }

    [SkippableFact]
    public async Task A_prefix_is_allocated_once()
    {
        Assert.True(await Store.TryAllocatePrefixAsync("88.999.3", 3, 1, 10));
        Assert.False(await Store.TryAllocatePrefixAsync("88.999.3", 3, 2, 11));
        Assert.True(await Store.TryAllocatePrefixAsync("88.999.1", 1, 2, 11));
        Assert.Equal([1L, 3L], await Store.AllocatedNumbersAsync());
    }

    [SkippableFact]
    public async Task Audit_entries_are_queried_newest_first_with_filters()
    {
        await Store.AppendAuditAsync([
            new AuditEntry(0, 10, "alice", "write", "88.999.1/a", "88.999.1", 7, AuditEntry.Ok, null),
            new AuditEntry(0, 11, "bob", "write", "88.999.1/a", "88.999.1", 8, AuditEntry.Denied, "no"),
            new AuditEntry(0, 12, "alice", "login", "alice", null, 7, AuditEntry.Ok, null),
        ]);
        var all = await Store.QueryAuditAsync(new AuditQuery());
        Assert.Equal(["login", "write", "write"], all.Select(a => a.Action));
        Assert.True(all[0].Sequence > all[1].Sequence);
        Assert.Equal(["bob"], (await Store.QueryAuditAsync(new AuditQuery(Outcome: AuditEntry.Denied))).Select(a => a.Actor));
        Assert.Equal(2, (await Store.QueryAuditAsync(new AuditQuery(Target: "88.999.1/a"))).Count);
        Assert.Equal(2, (await Store.QueryAuditAsync(new AuditQuery(EnterpriseId: 7))).Count);
        Assert.Single(await Store.QueryAuditAsync(new AuditQuery(Actor: "alice", Since: 12)));
        Assert.Single(await Store.QueryAuditAsync(new AuditQuery(Limit: 1)));
        Assert.Equal(2, (await Store.QueryAuditAsync(new AuditQuery(BeforeSequence: all[0].Sequence))).Count);
    }
}
