using System.Text;
using IdNode.Core.Ports;

namespace IdNode.Storage.Postgres.Tests;

/// <summary>What the PostgreSQL store does beyond the shared contract: migrations, bulk load, followers of the change log.</summary>
public sealed class PostgresRecordStoreTests : IAsyncLifetime
{
    private const string P = "88.999.1";
    private const int SchemaVersion = 5;
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
            Assert.Equal(SchemaVersion, await stores[0].GetSchemaVersionAsync());
            Assert.Equal((long)SchemaVersion, await Schema.ScalarAsync<long>("SELECT count(*) FROM schema_version"));
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
        Assert.Equal((long)SchemaVersion, await Schema.ScalarAsync<long>("SELECT count(*) FROM schema_version"));
    }

    [SkippableFact]
    public async Task Upgrading_a_version_2_database_drops_the_prefix_index_and_keeps_listing()
    {
        await using (var first = Schema.OpenStore())
        {
            await first.WriteAsync(Create($"{P}/a"));
            await first.WriteAsync(Create($"{P}0/b"));
        }
        // Put the database back where version 2 left it: the index present, versions 3 to 5 not applied.
        await DowngradeToVersion3Async();
        await Schema.ExecAsync($"CREATE INDEX handles_by_prefix ON {Schema.Name}.handles (prefix, key) WHERE data IS NOT NULL");
        await Schema.ExecAsync($"DELETE FROM {Schema.Name}.schema_version WHERE version = 3");

        await using var second = Schema.OpenStore();
        Assert.Equal(SchemaVersion, await second.GetSchemaVersionAsync());
        Assert.Equal(0L, await Schema.ScalarAsync<long>($"SELECT count(*) FROM pg_indexes WHERE schemaname = '{Schema.Name}' AND indexname = 'handles_by_prefix'"));
        Assert.Equal([$"{P}/a"], (await second.ListAsync(P, null, 0, 10)).Select(h => h.Key));
    }

    /// <summary>
    /// Undoes migration 5: the per-batch change log rows become the per-item rows version 4 wrote,
    /// with the same sequences.
    /// </summary>
    private async Task DowngradeToVersion4Async()
    {
        var s = Schema.Name;
        await Schema.ExecAsync($"""
            INSERT INTO {s}.change_log(seq, key, handle, version, kind, at)
            SELECT b.first_seq + t.ord - 1, t.key, COALESCE(t.handle, t.key), t.version, t.kind, b.at
            FROM {s}.change_batches b, unnest(b.keys, b.handles, b.versions, b.kinds) WITH ORDINALITY AS t(key, handle, version, kind, ord);
            DROP TABLE {s}.change_batches;
            DELETE FROM {s}.schema_version WHERE version = 5;
            """);
    }

    /// <summary>Undoes migrations 5 and 4 (the columns its rows would need); rows in the schema must be legacy-shaped already.</summary>
    private async Task DowngradeToVersion3Async()
    {
        await DowngradeToVersion4Async();
        await Schema.ExecAsync($"ALTER TABLE {Schema.Name}.handles DROP COLUMN kind, DROP COLUMN actor");
        await Schema.ExecAsync($"DELETE FROM {Schema.Name}.schema_version WHERE version = 4");
    }

    private Task<long> HistoryRowsAsync(string key)
        => Schema.ScalarAsync<long>($"SELECT count(*) FROM record_history WHERE key = '{key}'");

    private static (long, ChangeKind, string?, long, string?, string) Flat(HistoryEntry h)
        => (h.Version, h.Kind, h.Data is null ? null : Encoding.UTF8.GetString(h.Data), h.At, h.Actor, h.Handle);

    /// <summary>
    /// A version-3 database wrote every version to record_history, the current one included, and
    /// handles had no kind or actor. After the upgrade, history must list those versions once
    /// each, exactly as before, and keep doing so as the legacy rows are updated, deleted and
    /// re-created on both write paths (per item and set-based).
    /// </summary>
    [SkippableFact]
    public async Task Upgrading_a_version_3_database_keeps_the_history_of_legacy_rows_exact_through_later_writes()
    {
        await using (var first = Schema.OpenStore())
        {
        }
        await DowngradeToVersion3Async();
        // What version 3 wrote for: a (created at 100 by alice, updated at 200 by bob), b (created,
        // then deleted at 300), c (created only); each version once in record_history.
        var s = Schema.Name;
        await Schema.ExecAsync($"""
            INSERT INTO {s}.handles(key, handle, prefix, version, data, updated_at) VALUES
                ('{P}/a', '{P}/A2', '{P}', 2, 'a2'::bytea, 200),
                ('{P}/b', '{P}/B', '{P}', 2, NULL, 300),
                ('{P}/c', '{P}/C', '{P}', 1, 'c1'::bytea, 150);
            INSERT INTO {s}.record_history(key, version, handle, kind, data, at, actor) VALUES
                ('{P}/a', 1, '{P}/A', 1, 'a1'::bytea, 100, 'alice'),
                ('{P}/a', 2, '{P}/A2', 2, 'a2'::bytea, 200, 'bob'),
                ('{P}/b', 1, '{P}/B', 1, 'b1'::bytea, 110, NULL),
                ('{P}/b', 2, '{P}/B', 3, NULL, 300, 'carol'),
                ('{P}/c', 1, '{P}/C', 1, 'c1'::bytea, 150, 'dave');
            INSERT INTO {s}.prefix_counts VALUES ('{P}', 2);
            """);
        var legacyA = new[] { (1L, ChangeKind.Create, (string?)"a1", 100L, (string?)"alice", $"{P}/A"), (2L, ChangeKind.Update, "a2", 200L, "bob", $"{P}/A2") };
        var legacyB = new[] { (1L, ChangeKind.Create, (string?)"b1", 110L, (string?)null, $"{P}/B"), (2L, ChangeKind.Delete, null, 300L, "carol", $"{P}/B") };
        var legacyC = new[] { (1L, ChangeKind.Create, (string?)"c1", 150L, (string?)"dave", $"{P}/C") };

        await using var store = Schema.OpenStore();
        Assert.Equal(SchemaVersion, await store.GetSchemaVersionAsync());
        Assert.Equal(legacyA, (await store.GetHistoryAsync($"{P}/a")).Select(Flat));
        Assert.Equal(legacyB, (await store.GetHistoryAsync($"{P}/b")).Select(Flat));
        Assert.Equal(legacyC, (await store.GetHistoryAsync($"{P}/c")).Select(Flat));

        // Set-based: distinct keys. a is updated, c deleted, b re-created.
        var batch = await store.WriteBatchAsync(
        [
            new RecordWrite($"{P}/a", $"{P}/A3", P, 2, Encoding.UTF8.GetBytes("a3"), ChangeKind.Update, "erin"),
            new RecordWrite($"{P}/b", $"{P}/B", P, 2, Encoding.UTF8.GetBytes("b3"), ChangeKind.Create, "frank"),
            new RecordWrite($"{P}/c", $"{P}/C", P, 1, null, ChangeKind.Delete, "gina"),
        ]);
        Assert.All(batch, r => Assert.True(r.Committed));
        // The legacy versions were already in record_history: nothing was copied for them.
        Assert.Equal(2, await HistoryRowsAsync($"{P}/a"));
        Assert.Equal(2, await HistoryRowsAsync($"{P}/b"));
        Assert.Equal(1, await HistoryRowsAsync($"{P}/c"));

        // Per item: each key written again; now the superseded versions are new-style rows.
        Assert.True((await store.WriteAsync(new RecordWrite($"{P}/a", $"{P}/A3", P, 3, null, ChangeKind.Delete, "hank"))).Committed);
        Assert.True((await store.WriteAsync(new RecordWrite($"{P}/b", $"{P}/B", P, 3, Encoding.UTF8.GetBytes("b4"), ChangeKind.Update, null))).Committed);
        Assert.True((await store.WriteAsync(new RecordWrite($"{P}/c", $"{P}/C", P, 2, Encoding.UTF8.GetBytes("c3"), ChangeKind.Create, "ivan"))).Committed);
        Assert.Equal(3, await HistoryRowsAsync($"{P}/a"));

        var a = (await store.GetHistoryAsync($"{P}/a")).Select(Flat).ToList();
        var b = (await store.GetHistoryAsync($"{P}/b")).Select(Flat).ToList();
        var c = (await store.GetHistoryAsync($"{P}/c")).Select(Flat).ToList();
        Assert.Equal(legacyA, a.Take(2));
        Assert.Equal(legacyB, b.Take(2));
        Assert.Equal(legacyC, c.Take(1));
        Assert.Equal([(3L, ChangeKind.Update, (string?)"a3", (string?)"erin", $"{P}/A3"), (4L, ChangeKind.Delete, null, "hank", $"{P}/A3")],
            a.Skip(2).Select(h => (h.Item1, h.Item2, h.Item3, h.Item5, h.Item6)));
        Assert.Equal([(3L, ChangeKind.Create, (string?)"b3", (string?)"frank"), (4L, ChangeKind.Update, "b4", null)],
            b.Skip(2).Select(h => (h.Item1, h.Item2, h.Item3, h.Item5)));
        Assert.Equal([(2L, ChangeKind.Delete, (string?)null, (string?)"gina"), (3L, ChangeKind.Create, "c3", "ivan")],
            c.Skip(1).Select(h => (h.Item1, h.Item2, h.Item3, h.Item5)));
        Assert.All(a.Skip(2).Concat(b.Skip(2)).Concat(c.Skip(1)), h => Assert.True(h.Item4 > 1_600_000_000));
        Assert.Equal(2, await store.CountAsync(P));
    }

    /// <summary>
    /// The point of schema version 4: a create writes its record once (handles only), and an
    /// update or delete writes exactly one history row, the version it replaced — on the per-item,
    /// set-based and bulk paths alike.
    /// </summary>
    [SkippableFact]
    public async Task A_create_writes_no_history_row_and_an_update_writes_exactly_the_superseded_version()
    {
        await using var store = Schema.OpenStore();
        Assert.True((await store.WriteAsync(Create($"{P}/one", "one-v1"))).Committed);
        Assert.All(await store.WriteBatchAsync([Create($"{P}/set-a", "a-v1"), Create($"{P}/set-b", "b-v1")]), r => Assert.True(r.Committed));
        Assert.Equal(2, (await store.BulkInsertAsync([Create($"{P}/bulk-a", "ba-v1"), Create($"{P}/bulk-b", "bb-v1")])).Inserted);
        Assert.Equal(0L, await Schema.ScalarAsync<long>("SELECT count(*) FROM record_history"));

        var created = await store.GetAsync($"{P}/one");
        Assert.True((await store.WriteAsync(new RecordWrite($"{P}/one", $"{P}/ONE", P, 1, Encoding.UTF8.GetBytes("one-v2"), ChangeKind.Update, "editor"))).Committed);
        Assert.All(await store.WriteBatchAsync(
        [
            new RecordWrite($"{P}/set-a", $"{P}/set-a", P, 1, Encoding.UTF8.GetBytes("a-v2"), ChangeKind.Update, "editor"),
            new RecordWrite($"{P}/set-b", $"{P}/set-b", P, 1, null, ChangeKind.Delete, "editor"),
            new RecordWrite($"{P}/bulk-a", $"{P}/bulk-a", P, 1, Encoding.UTF8.GetBytes("ba-v2"), ChangeKind.Update, "editor"),
        ]), r => Assert.True(r.Committed));

        Assert.Equal(4L, await Schema.ScalarAsync<long>("SELECT count(*) FROM record_history"));
        Assert.Equal(4L, await Schema.ScalarAsync<long>("SELECT count(*) FROM record_history WHERE version = 1 AND kind = 1"));
        Assert.Equal(0L, await Schema.ScalarAsync<long>($"SELECT count(*) FROM record_history WHERE key = '{P}/bulk-b'"));
        foreach (var key in new[] { "one", "set-a", "set-b", "bulk-a" })
            Assert.Equal(1L, await HistoryRowsAsync($"{P}/{key}"));
        Assert.Equal($"one-v1|{P}/one|bulk|{created!.UpdatedAt}",
            await Schema.ScalarAsync<string>($"SELECT convert_from(data, 'UTF8') || '|' || handle || '|' || actor || '|' || at FROM record_history WHERE key = '{P}/one'"));
        Assert.Equal("ba-v1|bulk", await Schema.ScalarAsync<string>($"SELECT convert_from(data, 'UTF8') || '|' || actor FROM record_history WHERE key = '{P}/bulk-a'"));

        // The history read puts the two tables back together.
        Assert.Equal([(1L, ChangeKind.Create, "one-v1", "bulk"), (2L, ChangeKind.Update, "one-v2", "editor")],
            (await store.GetHistoryAsync($"{P}/one")).Select(h => (h.Version, h.Kind, Encoding.UTF8.GetString(h.Data!), h.Actor)));
        Assert.Equal([(1L, ChangeKind.Create, "ba-v1", "bulk"), (2L, ChangeKind.Update, "ba-v2", "editor")],
            (await store.GetHistoryAsync($"{P}/bulk-a")).Select(h => (h.Version, h.Kind, Encoding.UTF8.GetString(h.Data!), h.Actor)));
        Assert.Equal([(1L, ChangeKind.Create, "b-v1"), (2L, ChangeKind.Delete, "<null>")],
            (await store.GetHistoryAsync($"{P}/set-b")).Select(h => (h.Version, h.Kind, h.Data is null ? "<null>" : Encoding.UTF8.GetString(h.Data))));
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
    /// A batch of creates is first written with a plain INSERT; one existing key (live or a
    /// tombstone) makes that fail, and the batch is applied again item by item: the new keys commit
    /// once, the existing ones report a conflict with their version, and nothing is written twice.
    /// </summary>
    [SkippableFact]
    public async Task A_batch_of_creates_meeting_existing_keys_falls_back_and_commits_only_the_new_ones()
    {
        await using var store = Schema.OpenStore();
        Assert.True((await store.WriteAsync(Create($"{P}/k05", "old"))).Committed);
        Assert.True((await store.WriteAsync(Create($"{P}/k07", "gone"))).Committed);
        Assert.True((await store.WriteAsync(new RecordWrite($"{P}/k07", $"{P}/k07", P, 1, null, ChangeKind.Delete, "t"))).Committed);
        var before = (await store.ReadChangesAsync(0, 100)).Count;

        var results = await store.WriteBatchAsync(Enumerable.Range(0, 10).Select(i => Create($"{P}/k{i:D2}", $"new{i}")).ToArray());

        Assert.Equal(8, results.Count(r => r.Committed));
        Assert.Equal((WriteOutcome.Conflict, 1L), (results[5].Outcome, results[5].Version));
        Assert.Equal((WriteOutcome.Conflict, 2L), (results[7].Outcome, results[7].Version));
        Assert.All(results.Where((_, i) => i is not (5 or 7)), r => Assert.Equal((WriteOutcome.Committed, 1L), (r.Outcome, r.Version)));
        Assert.Equal("old", Encoding.UTF8.GetString((await store.GetAsync($"{P}/k05"))!.Data!));
        Assert.Equal("new3", Encoding.UTF8.GetString((await store.GetAsync($"{P}/k03"))!.Data!));
        var changes = (await store.ReadChangesAsync(0, 100)).Skip(before).ToList();
        Assert.Equal(results.Where(r => r.Committed).Select(r => r.Sequence).Order(), changes.Select(c => c.Sequence));
        Assert.Equal(9, await store.CountAsync(P));

        // All new: the plain insert commits them at once.
        var fresh = await store.WriteBatchAsync(Enumerable.Range(0, 5).Select(i => Create($"{P}/n{i}")).ToArray());
        Assert.All(fresh, r => Assert.Equal((WriteOutcome.Committed, 1L), (r.Outcome, r.Version)));
        Assert.Equal(14, await store.CountAsync(P));
    }

    private static RecordWrite Named(string suffix, string handleSuffix)
        => new($"{P}/{suffix}", $"{P}/{handleSuffix}", P, 0, Encoding.UTF8.GetBytes(suffix), ChangeKind.Create, "t");

    /// <summary>
    /// A batch is applied, and numbered in the change log, in the byte order of its keys' UTF-8
    /// (COLLATE "C"), which the plain insert of new keys relies on without sorting. UTF-16 order
    /// differs: it puts a character above U+FFFF (a surrogate pair) before U+E000..U+FFFF.
    /// </summary>
    [SkippableFact]
    public async Task A_batch_is_applied_in_the_utf8_byte_order_of_its_keys()
    {
        await using var store = Schema.OpenStore();
        string[] suffixes = ["\uFF21", "\U0001F600", "a", "\uE000", "\u4E2D"];
        var results = await store.WriteBatchAsync(suffixes.Select(x => Named(x, x)).ToArray());
        Assert.All(results, r => Assert.True(r.Committed));

        var bySequence = suffixes.Zip(results).OrderBy(x => x.Second.Sequence).Select(x => $"{P}/{x.First}").ToList();
        Assert.Equal(await Schema.ListAsync<string>("SELECT key FROM handles ORDER BY key"), bySequence);
        Assert.Equal(suffixes.Select(x => $"{P}/{x}").OrderBy(Encoding.UTF8.GetBytes, Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))), bySequence);
    }

    /// <summary>
    /// Schema version 5 writes the change log as one row per committed transaction. Whatever the
    /// page size, reading it page by page gives the same gapless sequence of entries, with each
    /// entry's own handle spelling, key, version and kind.
    /// </summary>
    [SkippableFact]
    public async Task A_committed_batch_is_one_change_log_row_and_pages_of_any_size_read_it_entry_by_entry()
    {
        await using var store = Schema.OpenStore();
        var batch = await store.WriteBatchAsync(Enumerable.Range(0, 50).Select(i => Named($"b{i:D2}", i % 3 == 0 ? $"B{i:D2}" : $"b{i:D2}")).ToArray());
        Assert.All(batch, r => Assert.True(r.Committed));
        var single = await store.WriteAsync(Named("single", "Single"));
        // A repeated key takes the per-item path; still one transaction, so one row.
        var repeated = await store.WriteBatchAsync(
        [
            Named("rep", "rep"),
            new RecordWrite($"{P}/rep", $"{P}/REP", P, 1, null, ChangeKind.Delete, "t"),
        ]);
        Assert.All(repeated, r => Assert.True(r.Committed));
        Assert.Equal(3L, await Schema.ScalarAsync<long>("SELECT count(*) FROM change_batches"));
        Assert.Equal(0L, await Schema.ScalarAsync<long>("SELECT count(*) FROM change_log"));

        var all = await store.ReadChangesAsync(0, 1000);
        Assert.Equal(Enumerable.Range(1, 53).Select(i => (long)i), all.Select(c => c.Sequence));
        Assert.Equal(batch.OrderBy(r => r.Sequence).Select(r => r.Sequence), all.Take(50).Select(c => c.Sequence));
        Assert.Equal($"{P}/B03", all.Single(c => c.Key == $"{P}/b03").Handle);
        Assert.Equal($"{P}/b04", all.Single(c => c.Key == $"{P}/b04").Handle);
        Assert.Equal((single.Sequence, $"{P}/Single", 1L, ChangeKind.Create), (all[50].Sequence, all[50].Handle, all[50].Version, all[50].Kind));
        Assert.Equal([($"{P}/rep", 1L, ChangeKind.Create), ($"{P}/REP", 2L, ChangeKind.Delete)], all.Skip(51).Select(c => (c.Handle, c.Version, c.Kind)));
        Assert.All(all, c => Assert.True(c.At > 1_600_000_000));

        foreach (var size in new[] { 1, 7, 49, 50, 51, 1000 })
        {
            var paged = new List<ChangeEntry>();
            while (true)
            {
                var page = await store.ReadChangesAsync(paged.Count == 0 ? 0 : paged[^1].Sequence, size);
                Assert.True(page.Count <= size);
                if (page.Count == 0)
                    break;
                paged.AddRange(page);
            }
            Assert.Equal(all, paged);
        }
        Assert.Equal(all.Skip(20).Take(5), await store.ReadChangesAsync(20, 5));
        Assert.Empty(await store.ReadChangesAsync(53, 10));
    }

    /// <summary>
    /// A version-4 database has its change log as one row per item. After the upgrade a follower
    /// reads those rows and then the new per-batch rows as one gapless log, across the boundary.
    /// </summary>
    [SkippableFact]
    public async Task Upgrading_a_version_4_database_reads_its_per_item_change_log_then_the_batches()
    {
        await using (var first = Schema.OpenStore())
        {
            Assert.All(await first.WriteBatchAsync([Named("old-a", "OLD-A"), Named("old-b", "old-b"), Named("old-c", "old-c")]), r => Assert.True(r.Committed));
            Assert.True((await first.WriteAsync(Named("old-d", "old-d"))).Committed);
        }
        await DowngradeToVersion4Async();
        Assert.Equal(4L, await Schema.ScalarAsync<long>("SELECT count(*) FROM change_log"));

        await using var store = Schema.OpenStore();
        Assert.Equal(SchemaVersion, await store.GetSchemaVersionAsync());
        Assert.All(await store.WriteBatchAsync([Named("new-a", "new-a"), Named("new-b", "NEW-B")]), r => Assert.True(r.Committed));
        Assert.Equal(3, (await store.BulkInsertAsync([Named("new-c", "new-c"), Named("new-d", "New-D"), Named("new-e", "new-e")])).Inserted);
        Assert.Equal(2L, await Schema.ScalarAsync<long>("SELECT count(*) FROM change_batches"));

        var all = await store.ReadChangesAsync(0, 100);
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (long)i), all.Select(c => c.Sequence));
        Assert.Equal(
            [$"{P}/OLD-A", $"{P}/old-b", $"{P}/old-c", $"{P}/old-d", $"{P}/new-a", $"{P}/NEW-B", $"{P}/new-c", $"{P}/New-D", $"{P}/new-e"],
            all.Select(c => c.Handle));
        for (var size = 1; size <= 10; size++)
        {
            var paged = new List<ChangeEntry>();
            for (var page = await store.ReadChangesAsync(0, size); page.Count > 0; page = await store.ReadChangesAsync(paged[^1].Sequence, size))
                paged.AddRange(page);
            Assert.Equal(all, paged);
        }
        Assert.Equal(all.Skip(3).Take(3), await store.ReadChangesAsync(3, 3));
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
