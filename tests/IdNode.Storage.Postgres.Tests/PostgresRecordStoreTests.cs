using System.Text;
using IdNode.Core.Ports;

namespace IdNode.Storage.Postgres.Tests;

/// <summary>What the PostgreSQL store does beyond the shared contract: migrations, bulk load, followers of the change log.</summary>
public sealed class PostgresRecordStoreTests : IAsyncLifetime
{
    private const string P = "88.999.1";
    private TestSchema? _schema;

    private TestSchema Schema => _schema!;

    public async Task InitializeAsync() => _schema = await TestSchema.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_schema is not null)
            await _schema.DisposeAsync();
    }

    private static RecordWrite Create(string key, string data = "v1")
        => new(key, key, key[..key.IndexOf('/')], 0, Encoding.UTF8.GetBytes(data), ChangeKind.Create, "bulk");

    [SkippableFact]
    public async Task Nodes_starting_at_once_migrate_the_schema_exactly_once()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(Schema.OpenStore)));
        try
        {
            Assert.Equal(3, await stores[0].GetSchemaVersionAsync());
            Assert.Equal(3L, await Schema.ScalarAsync<long>("SELECT count(*) FROM schema_version"));
            Assert.True((await stores[3].WriteAsync(Create($"{P}/a"))).Committed);
            Assert.Equal(1, (await stores[5].GetAsync($"{P}/a"))!.Version);
        }
        finally
        {
            foreach (var s in stores)
                await s.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Reopening_a_migrated_database_keeps_its_data_and_runs_no_migration()
    {
        await using (var first = Schema.OpenStore())
            await first.WriteAsync(Create($"{P}/kept", "data"));

        await using var second = Schema.OpenStore();
        Assert.Equal("data", Encoding.UTF8.GetString((await second.GetAsync($"{P}/kept"))!.Data!));
        Assert.Equal(3L, await Schema.ScalarAsync<long>("SELECT count(*) FROM schema_version"));
    }

    [SkippableFact]
    public async Task Upgrading_a_version_2_database_drops_the_prefix_index_and_keeps_listing()
    {
        await using (var first = Schema.OpenStore())
        {
            await first.WriteAsync(Create($"{P}/a"));
            await first.WriteAsync(Create($"{P}0/b"));
        }
        // Put the database back where version 2 left it: the index present, version 3 not applied.
        await Schema.ExecAsync($"CREATE INDEX handles_by_prefix ON {Schema.Name}.handles (prefix, key) WHERE data IS NOT NULL");
        await Schema.ExecAsync($"DELETE FROM {Schema.Name}.schema_version WHERE version = 3");

        await using var second = Schema.OpenStore();
        Assert.Equal(3, await second.GetSchemaVersionAsync());
        Assert.Equal(0L, await Schema.ScalarAsync<long>($"SELECT count(*) FROM pg_indexes WHERE schemaname = '{Schema.Name}' AND indexname = 'handles_by_prefix'"));
        Assert.Equal([$"{P}/a"], (await second.ListAsync(P, null, 0, 10)).Select(h => h.Key));
    }

    [SkippableFact]
    public async Task Bulk_insert_creates_new_identifiers_with_history_counts_and_change_log_and_skips_existing_ones()
    {
        await using var store = Schema.OpenStore();
        var live = await store.WriteAsync(Create($"{P}/item-00010", "already"));
        await store.WriteAsync(Create($"{P}/item-00020"));
        await store.WriteAsync(new RecordWrite($"{P}/item-00020", $"{P}/item-00020", P, 1, null, ChangeKind.Delete, "x"));
        var writes = Enumerable.Range(0, 5000).Select(i => Create($"{P}/item-{i:D5}", $"d{i}"))
            .Append(Create($"{P}/item-00007", "second copy of a key: the first wins"))
            .Append(Create("88.999.2/other"))
            .ToList();

        var result = await store.BulkInsertAsync(writes);

        Assert.Equal(4999, result.Inserted);
        Assert.Equal([$"{P}/item-00010", $"{P}/item-00020"], result.Existing);
        Assert.Equal("already", Encoding.UTF8.GetString((await store.GetAsync($"{P}/item-00010"))!.Data!));
        Assert.False((await store.GetAsync($"{P}/item-00020"))!.Exists);
        Assert.Equal("d7", Encoding.UTF8.GetString((await store.GetAsync($"{P}/item-00007"))!.Data!));
        Assert.Equal(4998 + 1, await store.CountAsync(P));
        Assert.Equal(1, await store.CountAsync("88.999.2"));

        var history = await store.GetHistoryAsync($"{P}/item-04321");
        var h = Assert.Single(history);
        Assert.Equal((1L, ChangeKind.Create, "d4321", "bulk"), (h.Version, h.Kind, Encoding.UTF8.GetString(h.Data!), h.Actor));

        var changes = await store.ReadChangesAsync(live.Sequence, 10_000);
        Assert.Equal(2 + 4999, changes.Count);
        Assert.Equal(Enumerable.Range(0, changes.Count).Select(i => live.Sequence + 1 + i), changes.Select(c => c.Sequence));
        Assert.All(changes.Skip(2), c => Assert.Equal((1L, ChangeKind.Create), (c.Version, c.Kind)));

        // Bulk-created identifiers are ordinary records afterwards.
        Assert.True((await store.WriteAsync(Create($"{P}/item-00001") with { ExpectedVersion = 1, Kind = ChangeKind.Update })).Committed);
        Assert.Equal(2, (await store.GetAsync($"{P}/item-00001"))!.Version);
    }

    [SkippableFact]
    public async Task Bulk_insert_refuses_anything_but_creates_and_writes_nothing()
    {
        await using var store = Schema.OpenStore();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => store.BulkInsertAsync([Create($"{P}/a"), Create($"{P}/b") with { ExpectedVersion = 3 }]));
        Assert.Contains("item 1", e.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => store.BulkInsertAsync([Create($"{P}/c") with { Data = null }]));

        Assert.Null(await store.GetAsync($"{P}/a"));
        Assert.Empty(await store.ReadChangesAsync(0, 10));
    }

    /// <summary>
    /// Reads go through their own (by default multiplexed) pool and writes through the ordinary one:
    /// a read issued after a write committed must see it, concurrent reads must each get their own
    /// row back, and a connection string that itself asks for multiplexing must still migrate and
    /// write (neither works multiplexed).
    /// </summary>
    [SkippableTheory]
    [InlineData(true, "")]
    [InlineData(false, "")]
    [InlineData(false, ";Multiplexing=true")]
    public async Task Reads_see_every_committed_write_and_their_own_rows_with_or_without_multiplexing(bool multiplexReads, string connectionStringExtra)
    {
        await using var store = new PostgresRecordStore(new PostgresStoreOptions { ConnectionString = Schema.ConnectionString + connectionStringExtra, MultiplexReads = multiplexReads });
        const int n = 200;
        var writes = Enumerable.Range(0, n).Select(i => Create($"{P}/r-{i}", $"data-{i}")).ToArray();
        Assert.Equal(n, (await store.BulkInsertAsync(writes)).Inserted);

        var reads = await Task.WhenAll(Enumerable.Range(0, n).Select(i => store.GetAsync($"{P}/r-{i}").AsTask()));
        for (var i = 0; i < n; i++)
            Assert.Equal($"data-{i}", Encoding.UTF8.GetString(reads[i]!.Data!));

        var key = $"{P}/r-0";
        for (var v = 1; v <= 5; v++)
        {
            Assert.True((await store.WriteAsync(new RecordWrite(key, key, P, v, Encoding.UTF8.GetBytes($"v{v + 1}"), ChangeKind.Update, "t"))).Committed);
            var read = await store.GetAsync(key);
            Assert.Equal(v + 1, read!.Version);
            Assert.Equal($"v{v + 1}", Encoding.UTF8.GetString(read.Data!));
        }
        Assert.Null(await store.GetAsync($"{P}/missing"));
    }

    [SkippableFact]
    public async Task A_batch_that_fails_midway_commits_nothing_and_leaves_the_pooled_connection_usable()
    {
        await using var store = new PostgresRecordStore(new PostgresStoreOptions { ConnectionString = Schema.ConnectionString + ";Maximum Pool Size=1" });

        var e = await Assert.ThrowsAnyAsync<Exception>(() => store.WriteBatchAsync([Create($"{P}/a"), Create($"{P}/b\0bad")]));
        Assert.IsNotType<StoreUnavailableException>(e);


        // The one pooled connection is back outside any transaction: this write commits for real.
        Assert.True((await store.WriteAsync(Create($"{P}/c"))).Committed);
        await using var other = Schema.OpenStore();
        Assert.Null(await other.GetAsync($"{P}/a"));
        Assert.NotNull(await other.GetAsync($"{P}/c"));
        Assert.Equal(1, await other.CountAsync(P));
        Assert.Single(await other.ReadChangesAsync(0, 10));
    }

    /// <summary>
    /// A follower remembers the last sequence it read. If a transaction holding a lower sequence
    /// could commit after one holding a higher one, the follower would see a gap and skip the
    /// lower one for ever. Here many writers race while a follower reads: every page it reads must
    /// continue exactly where the last one ended.
    /// </summary>
    [SkippableFact]
    public async Task A_follower_of_the_change_log_never_sees_a_later_sequence_before_an_earlier_one()
    {
        await using var store = Schema.OpenStore();
        const int writers = 8, batches = 30, size = 5;
        using var done = new CancellationTokenSource();

        var follower = Task.Run(async () =>
        {
            long last = 0, seen = 0;
            while (true)
            {
                var finished = done.IsCancellationRequested;
                var page = await store.ReadChangesAsync(last, 1000);
                foreach (var c in page)
                {
                    Assert.True(c.Sequence == last + 1, $"follower at {last} next saw {c.Sequence}");
                    last = c.Sequence;
                    seen++;
                }
                if (finished && page.Count == 0)
                    return seen;
            }
        });
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var b = 0; b < batches; b++)
            {
                var results = await store.WriteBatchAsync(Enumerable.Range(0, size).Select(i => Create($"{P}/w{w}-{b}-{i}")).ToArray());
                Assert.All(results, r => Assert.True(r.Committed));
            }
        })));
        done.Cancel();

        Assert.Equal(writers * batches * size, await follower);
    }
}
