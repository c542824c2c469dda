using System.Text;
using IdNode.Core.Ports;
using IdNode.TestSupport;

namespace IdNode.Storage.Postgres.Tests;

/// <summary>Outage tests stop a server; they run one at a time (each on a private cluster, see <see cref="PostgresControl"/>).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresOutageCollection
{
    public const string Name = "PostgreSQL outage";
}

[Collection(PostgresOutageCollection.Name)]
public sealed class PostgresOutageTests
{
    private const string P = "88.999.1";

    private static RecordWrite Write(string key, long expected, string data)
        => new(key, key, P, expected, Encoding.UTF8.GetBytes(data), expected == 0 ? ChangeKind.Create : ChangeKind.Update, "outage");

    [SkippableFact]
    public async Task Calls_fail_as_store_unavailable_while_stopped_and_succeed_again_after_restart_keeping_every_acknowledged_write()
    {
        await using var pg = await PostgresControl.StartPrivateAsync();
        await using var schema = await TestSchema.CreateAsync(pg.ConnectionString);
        await using var store = schema.OpenStore();

        var acked = new Dictionary<string, long>();
        for (var i = 0; i < 20; i++)
        {
            var r = await store.WriteAsync(Write($"{P}/k{i}", 0, $"v{i}"));
            Assert.True(r.Committed);
            acked[$"{P}/k{i}"] = r.Version;
        }
        foreach (var r in await store.WriteBatchAsync(Enumerable.Range(0, 20).Select(i => Write($"{P}/k{i}", 1, $"v{i}b")).ToArray()))
            Assert.True(r.Committed);
        foreach (var key in acked.Keys)
            acked[key] = 2;
        // Several connections in the pool, all of which the stop will kill.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => store.GetAsync($"{P}/k{i}").AsTask()));

        await pg.StopAsync();

        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync($"{P}/k1").AsTask());
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.WriteAsync(Write($"{P}/during", 0, "x")));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.WriteBatchAsync([Write($"{P}/during2", 0, "x")]));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.CountAsync(P));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.ReadChangesAsync(0, 10));
        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.ListAsync(P, null, 0, 10));
        Assert.False(e.OutcomeUnknown);

        await pg.StartAsync();

        // Same store object, no re-creation: the pool reconnects by itself.
        var after = await store.WriteAsync(Write($"{P}/after", 0, "x"));
        Assert.True(after.Committed);
        foreach (var (key, version) in acked)
            Assert.Equal(version, (await store.GetAsync(key))!.Version);
        Assert.Null(await store.GetAsync($"{P}/during"));
        Assert.Equal(21, await store.CountAsync(P));
        var changes = await store.ReadChangesAsync(0, 100);
        Assert.Equal(Enumerable.Range(1, 41).Select(i => (long)i), changes.Select(c => c.Sequence));
    }

    /// <summary>
    /// A restart between two calls leaves the pool full of dead connections; the next calls must
    /// not fail because of them (they are dropped and replaced, transparently).
    /// </summary>
    [SkippableFact]
    public async Task A_restart_between_calls_is_not_visible_to_callers()
    {
        await using var pg = await PostgresControl.StartPrivateAsync();
        await using var schema = await TestSchema.CreateAsync(pg.ConnectionString);
        await using var store = schema.OpenStore();
        Assert.True((await store.WriteAsync(Write($"{P}/a", 0, "v1"))).Committed);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.GetAsync($"{P}/a").AsTask()));

        await pg.StopAsync();
        await pg.StartAsync();

        var reads = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.GetAsync($"{P}/a").AsTask()));
        Assert.All(reads, r => Assert.Equal(1, r!.Version));
        Assert.True((await store.WriteAsync(Write($"{P}/a", 1, "v2"))).Committed);
        Assert.Equal(2, (await store.GetAsync($"{P}/a"))!.Version);
    }

    [SkippableFact]
    public async Task A_store_cannot_be_opened_while_the_server_is_down_and_says_so()
    {
        await using var pg = await PostgresControl.StartPrivateAsync();
        await pg.StopAsync();

        var e = Assert.Throws<StoreUnavailableException>(() => new PostgresRecordStore(new PostgresStoreOptions { ConnectionString = pg.ConnectionString }));
        Assert.Contains("store unavailable", e.Message);
    }
}
