using System.Text;
using IdNode.Core.Ports;

namespace IdNode.Storage.Contract;

/// <summary>
/// What every <see cref="IRecordStore"/> must do, written once and inherited by each adapter's
/// tests. xunit makes a new instance per test, and each instance gets a fresh, empty store.
/// Tests are [SkippableFact] so an adapter that needs a server can skip (or, under CI, fail) in
/// <see cref="CreateStoreAsync"/>.
/// </summary>
public abstract class RecordStoreContract : IAsyncLifetime
{
    protected const string P = "88.999.1";
    protected const string Q = "88.999.2";

    private IRecordStore? _store;

    protected IRecordStore Store => _store ?? throw new InvalidOperationException("store not created");

    /// <summary>A new, empty store of the adapter under test.</summary>
    protected abstract Task<IRecordStore> CreateStoreAsync();

    /// <summary>Releases the store and whatever was created for it (file, schema).</summary>
    protected abstract Task DisposeStoreAsync(IRecordStore store);

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
            await DisposeStoreAsync(_store);
    }

    protected static byte[] D(string text) => Encoding.UTF8.GetBytes(text);

    protected static string S(byte[]? data) => data is null ? "<null>" : Encoding.UTF8.GetString(data);

    protected static RecordWrite Put(string key, long expected, string data, ChangeKind kind = ChangeKind.Update, string? actor = "tester")
        => new(key, key.ToUpperInvariant(), key[..key.IndexOf('/')], expected, D(data), kind, actor);

    protected static RecordWrite Create(string key, string data = "v1", string? actor = "tester") => Put(key, 0, data, ChangeKind.Create, actor);

    protected static RecordWrite Delete(string key, long expected, string? actor = "tester")
        => new(key, key.ToUpperInvariant(), key[..key.IndexOf('/')], expected, null, ChangeKind.Delete, actor);

    protected async Task<WriteResult> MustCommit(RecordWrite w)
    {
        var r = await Store.WriteAsync(w);
        Assert.True(r.Committed, $"write to {w.Key} expecting v{w.ExpectedVersion} conflicted (stored v{r.Version})");
        return r;
    }

    // ---- get -----------------------------------------------------------------------------

    [SkippableFact]
    public async Task Get_of_a_key_never_written_is_null()
    {
        Assert.Null(await Store.GetAsync($"{P}/missing"));
    }

    [SkippableFact]
    public async Task Create_stores_a_live_record_at_version_1()
    {
        var r = await Store.WriteAsync(Create($"{P}/a", "hello"));

        Assert.Equal(WriteOutcome.Committed, r.Outcome);
        Assert.Equal(1, r.Version);
        Assert.True(r.Sequence > 0);
        var got = await Store.GetAsync($"{P}/a");
        Assert.NotNull(got);
        Assert.True(got.Exists);
        Assert.Equal($"{P}/a", got.Key);
        Assert.Equal($"{P}/A", got.Handle);
        Assert.Equal(1, got.Version);
        Assert.Equal("hello", S(got.Data));
        Assert.True(got.UpdatedAt > 1_600_000_000, $"updated_at {got.UpdatedAt} is not unix seconds");
    }

    [SkippableFact]
    public async Task Keys_are_exact_other_spellings_are_other_keys()
    {
        await MustCommit(Create($"{P}/a", "lower"));

        Assert.Null(await Store.GetAsync($"{P}/A"));
        Assert.Null(await Store.GetAsync($"{P}/a "));
    }

    [SkippableFact]
    public async Task Binary_data_round_trips_byte_for_byte()
    {
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(new byte[70_000]).ToArray();
        await MustCommit(new RecordWrite($"{P}/bin", $"{P}/bin", P, 0, bytes, ChangeKind.Create, null));

        var got = await Store.GetAsync($"{P}/bin");
        Assert.Equal(bytes, got!.Data);
        Assert.Null((await Store.GetHistoryAsync($"{P}/bin"))[0].Actor);
    }

    [SkippableFact]
    public async Task Get_many_answers_in_the_order_asked_tombstones_included_missing_as_null()
    {
        await MustCommit(Create($"{P}/b", "bee"));
        await MustCommit(Create($"{P}/a", "ay"));
        await MustCommit(Create($"{Q}/gone", "x"));
        await MustCommit(Delete($"{Q}/gone", 1));

        var got = await Store.GetManyAsync([$"{P}/a", $"{P}/missing", $"{Q}/gone", $"{P}/b", $"{P}/a", $"{P}/A"]);

        Assert.Equal(6, got.Count);
        Assert.Equal(["ay", null, "<null>", "bee", "ay", null], got.Select(r => r is null ? null : S(r.Data)));
        Assert.Equal([$"{P}/a", null, $"{Q}/gone", $"{P}/b", $"{P}/a", null], got.Select(r => r?.Key));
        Assert.False(got[2]!.Exists);
        Assert.Equal(2, got[2]!.Version);
        Assert.Equal($"{P}/B", got[3]!.Handle);
        Assert.Equal(1, got[3]!.Version);
        Assert.Empty(await Store.GetManyAsync([]));
    }

    [SkippableFact]
    public async Task Get_many_reads_a_whole_batch_worth_of_keys()
    {
        await Store.WriteBatchAsync(Enumerable.Range(0, 2000).Select(i => Create($"{P}/k-{i}", $"d{i}")).ToArray());
        var keys = Enumerable.Range(0, 2500).Select(i => $"{P}/k-{(i * 7919) % 2500}").ToArray();

        var got = await Store.GetManyAsync(keys);

        for (var i = 0; i < keys.Length; i++)
        {
            var n = (i * 7919) % 2500;
            Assert.Equal(n < 2000 ? $"d{n}" : null, got[i] is { } r ? S(r.Data) : null);
        }
    }

    // ---- versions, tombstones, compare-and-set -------------------------------------------

    [SkippableFact]
    public async Task Update_with_the_current_version_moves_to_the_next_version()
    {
        await MustCommit(Create($"{P}/a"));
        var r = await Store.WriteAsync(Put($"{P}/a", 1, "v2"));

        Assert.True(r.Committed);
        Assert.Equal(2, r.Version);
        var got = await Store.GetAsync($"{P}/a");
        Assert.Equal(2, got!.Version);
        Assert.Equal("v2", S(got.Data));
    }

    [SkippableFact]
    public async Task Delete_leaves_a_tombstone_that_keeps_the_version()
    {
        await MustCommit(Create($"{P}/a"));
        await MustCommit(Put($"{P}/a", 1, "v2"));
        var r = await Store.WriteAsync(Delete($"{P}/a", 2));

        Assert.True(r.Committed);
        Assert.Equal(3, r.Version);
        var got = await Store.GetAsync($"{P}/a");
        Assert.NotNull(got);
        Assert.False(got.Exists);
        Assert.Null(got.Data);
        Assert.Equal(3, got.Version);
    }

    [SkippableFact]
    public async Task Stale_expected_version_conflicts_reports_the_stored_version_and_changes_nothing()
    {
        await MustCommit(Create($"{P}/a"));
        await MustCommit(Put($"{P}/a", 1, "v2"));
        var changesBefore = await Store.ReadChangesAsync(0, 100);

        var r = await Store.WriteAsync(Put($"{P}/a", 1, "lost"));

        Assert.Equal(WriteOutcome.Conflict, r.Outcome);
        Assert.False(r.Committed);
        Assert.Equal(2, r.Version);
        Assert.Equal(0, r.Sequence);
        Assert.Equal("v2", S((await Store.GetAsync($"{P}/a"))!.Data));
        Assert.Equal(2, (await Store.GetHistoryAsync($"{P}/a")).Count);
        Assert.Equal(changesBefore, await Store.ReadChangesAsync(0, 100));
    }

    [SkippableFact]
    public async Task Create_of_an_existing_key_conflicts()
    {
        await MustCommit(Create($"{P}/a", "first"));

        var r = await Store.WriteAsync(Create($"{P}/a", "second"));

        Assert.Equal(WriteOutcome.Conflict, r.Outcome);
        Assert.Equal(1, r.Version);
        Assert.Equal("first", S((await Store.GetAsync($"{P}/a"))!.Data));
    }

    [SkippableFact]
    public async Task Write_expecting_a_version_of_a_key_that_does_not_exist_conflicts_and_creates_nothing()
    {
        var r = await Store.WriteAsync(Put($"{P}/ghost", 5, "x"));

        Assert.Equal(WriteOutcome.Conflict, r.Outcome);
        Assert.Equal(0, r.Version);
        Assert.Null(await Store.GetAsync($"{P}/ghost"));
        Assert.Empty(await Store.GetHistoryAsync($"{P}/ghost"));
        Assert.Equal(0, await Store.CountAsync(P));
    }

    [SkippableFact]
    public async Task Recreate_after_delete_continues_the_version_and_needs_the_tombstone_version()
    {
        await MustCommit(Create($"{P}/a"));
        await MustCommit(Delete($"{P}/a", 1));

        var asNew = await Store.WriteAsync(Create($"{P}/a", "again"));
        Assert.Equal(WriteOutcome.Conflict, asNew.Outcome);
        Assert.Equal(2, asNew.Version);

        var r = await Store.WriteAsync(Put($"{P}/a", 2, "again", ChangeKind.Create));
        Assert.True(r.Committed);
        Assert.Equal(3, r.Version);
        var got = await Store.GetAsync($"{P}/a");
        Assert.True(got!.Exists);
        Assert.Equal(3, got.Version);
        Assert.Equal("again", S(got.Data));
    }

    // ---- history --------------------------------------------------------------------------

    [SkippableFact]
    public async Task History_keeps_every_version_oldest_first_including_the_delete()
    {
        await MustCommit(Create($"{P}/a", "one", actor: "alice"));
        await MustCommit(Put($"{P}/a", 1, "two", actor: "bob"));
        await MustCommit(Delete($"{P}/a", 2, actor: "carol"));
        await MustCommit(Put($"{P}/a", 3, "four", ChangeKind.Create, actor: "dave"));
        await MustCommit(Create($"{P}/other"));

        var h = await Store.GetHistoryAsync($"{P}/a");

        Assert.Equal([1L, 2, 3, 4], h.Select(e => e.Version));
        Assert.Equal([ChangeKind.Create, ChangeKind.Update, ChangeKind.Delete, ChangeKind.Create], h.Select(e => e.Kind));
        Assert.Equal(["one", "two", "<null>", "four"], h.Select(e => S(e.Data)));
        Assert.Equal(["alice", "bob", "carol", "dave"], h.Select(e => e.Actor));
        Assert.All(h, e => Assert.Equal($"{P}/A", e.Handle));
        Assert.All(h, e => Assert.True(e.At > 1_600_000_000));
        Assert.Empty(await Store.GetHistoryAsync($"{P}/never"));
    }

    /// <summary>
    /// Each version keeps its own handle spelling, kind, data, actor and time (the time its write
    /// committed, as in the change log), whether it was written alone, in a batch of distinct keys
    /// or in a batch that writes one key several times.
    /// </summary>
    [SkippableFact]
    public async Task History_keeps_each_versions_own_handle_kind_actor_and_time_on_every_write_path()
    {
        await MustCommit(Create($"{P}/a", "one", actor: "alice"));
        var distinct = await Store.WriteBatchAsync(
        [
            new RecordWrite($"{P}/a", $"{P}/a-Two", P, 1, D("two"), ChangeKind.Update, "bob"),
            Create($"{P}/b", "b1", actor: null),
        ]);
        Assert.All(distinct, r => Assert.True(r.Committed));
        var repeated = await Store.WriteBatchAsync(
        [
            Delete($"{P}/a", 2, actor: "carol"),
            Put($"{P}/b", 1, "b2", actor: "erin"),
            Put($"{P}/a", 3, "four", ChangeKind.Create, actor: null),
            Put($"{P}/a", 4, "five", actor: "frank"),
        ]);
        Assert.All(repeated, r => Assert.True(r.Committed));

        var a = await Store.GetHistoryAsync($"{P}/a");
        Assert.Equal([1L, 2, 3, 4, 5], a.Select(e => e.Version));
        Assert.Equal([$"{P}/A", $"{P}/a-Two", $"{P}/A", $"{P}/A", $"{P}/A"], a.Select(e => e.Handle));
        Assert.Equal([ChangeKind.Create, ChangeKind.Update, ChangeKind.Delete, ChangeKind.Create, ChangeKind.Update], a.Select(e => e.Kind));
        Assert.Equal(["one", "two", "<null>", "four", "five"], a.Select(e => S(e.Data)));
        Assert.Equal(["alice", "bob", "carol", null, "frank"], a.Select(e => e.Actor));
        var b = await Store.GetHistoryAsync($"{P}/b");
        Assert.Equal([(1L, "b1", (string?)null), (2L, "b2", "erin")], b.Select(e => (e.Version, S(e.Data), e.Actor)));

        var changes = await Store.ReadChangesAsync(0, 100);
        foreach (var (key, history) in new[] { ($"{P}/a", a), ($"{P}/b", b) })
        {
            var logged = changes.Where(c => c.Key == key).ToList();
            Assert.Equal(logged.Select(c => (c.Version, c.Kind, c.At, c.Handle)), history.Select(e => (e.Version, e.Kind, e.At, e.Handle)));
        }
    }

    // ---- change log -----------------------------------------------------------------------

    [SkippableFact]
    public async Task Change_log_lists_committed_writes_in_sequence_order_and_pages()
    {
        var a = await MustCommit(Create($"{P}/a"));
        var b = await MustCommit(Create($"{Q}/b"));
        await Store.WriteAsync(Create($"{P}/a"));                // conflict: not a change
        var a2 = await MustCommit(Put($"{P}/a", 1, "v2"));
        var del = await MustCommit(Delete($"{Q}/b", 1));

        var all = await Store.ReadChangesAsync(0, 100);

        Assert.Equal([a.Sequence, b.Sequence, a2.Sequence, del.Sequence], all.Select(c => c.Sequence));
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), "sequences must increase");
        Assert.Equal([$"{P}/a", $"{Q}/b", $"{P}/a", $"{Q}/b"], all.Select(c => c.Key));
        Assert.Equal([1L, 1, 2, 2], all.Select(c => c.Version));
        Assert.Equal([ChangeKind.Create, ChangeKind.Create, ChangeKind.Update, ChangeKind.Delete], all.Select(c => c.Kind));
        Assert.Equal($"{Q}/B", all[1].Handle);

        var page = await Store.ReadChangesAsync(all[0].Sequence, 2);
        Assert.Equal([b.Sequence, a2.Sequence], page.Select(c => c.Sequence));
        Assert.Empty(await Store.ReadChangesAsync(del.Sequence, 10));
    }

    // ---- counts and listing ---------------------------------------------------------------

    [SkippableFact]
    public async Task Count_per_prefix_follows_create_update_delete_and_recreate()
    {
        Assert.Equal(0, await Store.CountAsync(P));
        await MustCommit(Create($"{P}/a"));
        await MustCommit(Create($"{P}/b"));
        await MustCommit(Create($"{Q}/c"));
        Assert.Equal(2, await Store.CountAsync(P));
        Assert.Equal(1, await Store.CountAsync(Q));

        await MustCommit(Put($"{P}/a", 1, "v2"));
        Assert.Equal(2, await Store.CountAsync(P));

        await MustCommit(Delete($"{P}/a", 2));
        Assert.Equal(1, await Store.CountAsync(P));

        await MustCommit(Delete($"{P}/never", 0));   // a tombstone for a key that was never live
        Assert.Equal(1, await Store.CountAsync(P));

        await MustCommit(Put($"{P}/a", 3, "back", ChangeKind.Create));
        Assert.Equal(2, await Store.CountAsync(P));
        Assert.Equal(1, await Store.CountAsync(Q));
        Assert.Equal(0, await Store.CountAsync("88.999"));
    }

    [SkippableFact]
    public async Task List_pages_live_keys_of_one_prefix_in_key_order_after_a_key_and_skip()
    {
        foreach (var s in new[] { "e", "a", "c", "b", "d", "B" })
            await MustCommit(Create($"{P}/{s}"));
        await MustCommit(Create($"{P}.1/x"));        // a longer prefix is another prefix
        await MustCommit(Create($"{Q}/a"));
        await MustCommit(Delete($"{P}/c", 1));

        var all = await Store.ListAsync(P, null, 0, 100);
        Assert.Equal([$"{P}/B", $"{P}/a", $"{P}/b", $"{P}/d", $"{P}/e"], all.Select(h => h.Key));
        Assert.Equal($"{P}/D", all[3].Handle);

        Assert.Equal([$"{P}/B", $"{P}/a"], (await Store.ListAsync(P, null, 0, 2)).Select(h => h.Key));
        Assert.Equal([$"{P}/b", $"{P}/d"], (await Store.ListAsync(P, $"{P}/a", 0, 2)).Select(h => h.Key));
        Assert.Equal([$"{P}/d", $"{P}/e"], (await Store.ListAsync(P, $"{P}/a", 1, 10)).Select(h => h.Key));
        Assert.Equal([$"{P}/d"], (await Store.ListAsync(P, $"{P}/c", 0, 1)).Select(h => h.Key));
        Assert.Empty(await Store.ListAsync(P, $"{P}/e", 0, 10));
        Assert.Empty(await Store.ListAsync(P, null, 10, 10));
        Assert.Empty(await Store.ListAsync("88.999.9", null, 0, 10));
    }

    [SkippableFact]
    public async Task List_of_a_prefix_stops_at_its_own_keys_whatever_sorts_next_to_them()
    {
        // Keys that sort right before, inside and right after "88.1/" in byte order: '-' and '.'
        // sort below '/', '0' right above it.
        foreach (var key in new[] { "88.1-/x", "88.1.2/x", "88.1/", "88.1/-", "88.1/a/b", "88.1/~", "88.10/x", "88.1a/x", "88.11/x" })
            await MustCommit(new RecordWrite(key, key, key[..key.IndexOf('/')], 0, "v"u8.ToArray(), ChangeKind.Create, "t"));

        Assert.Equal(["88.1/", "88.1/-", "88.1/a/b", "88.1/~"], (await Store.ListAsync("88.1", null, 0, 100)).Select(h => h.Key));
        Assert.Equal(["88.1/a/b", "88.1/~"], (await Store.ListAsync("88.1", "88.1/-", 0, 100)).Select(h => h.Key));
        Assert.Equal(["88.10/x"], (await Store.ListAsync("88.10", null, 0, 100)).Select(h => h.Key));
        Assert.Equal(["88.1-/x"], (await Store.ListAsync("88.1-", null, 0, 100)).Select(h => h.Key));
        Assert.Empty(await Store.ListAsync("88", null, 0, 100));
        Assert.Empty(await Store.ListAsync("88.1", "88.1/~", 0, 100));
    }

    [SkippableFact]
    public async Task List_prefixes_names_prefixes_with_a_live_identifier_in_order()
    {
        await MustCommit(Create($"{Q}/a"));
        await MustCommit(Create($"{P}/a"));
        await MustCommit(Create($"{P}/b"));
        await MustCommit(Create("88.999.3/gone"));
        await MustCommit(Delete("88.999.3/gone", 1));

        Assert.Equal([P, Q], await Store.ListPrefixesAsync());

        await MustCommit(Delete($"{Q}/a", 1));
        Assert.Equal([P], await Store.ListPrefixesAsync());
    }

    // ---- batches --------------------------------------------------------------------------

    [SkippableFact]
    public async Task Batch_commits_each_item_on_its_own_expected_version_and_answers_in_input_order()
    {
        await MustCommit(Create($"{P}/existing"));
        await MustCommit(Create($"{P}/stale"));
        await MustCommit(Put($"{P}/stale", 1, "v2"));

        var results = await Store.WriteBatchAsync(
        [
            Create($"{P}/new1"),
            Put($"{P}/stale", 1, "lost"),
            Put($"{P}/existing", 1, "v2"),
            Create($"{P}/existing", "dup"),
            Create($"{Q}/new2"),
        ]);

        Assert.Equal(5, results.Count);
        Assert.Equal([true, false, true, false, true], results.Select(r => r.Committed));
        // The duplicate create is checked after the update before it in the same batch.
        Assert.Equal([1L, 2, 2, 2, 1], results.Select(r => r.Version));
        Assert.Equal(0, results[1].Sequence);
        Assert.Equal(0, results[3].Sequence);
        var seqs = new[] { results[0].Sequence, results[2].Sequence, results[4].Sequence };
        Assert.Equal(3, seqs.Distinct().Count());
        Assert.All(seqs, s => Assert.True(s > 0));

        Assert.Equal("v2", S((await Store.GetAsync($"{P}/stale"))!.Data));
        Assert.Equal("v2", S((await Store.GetAsync($"{P}/existing"))!.Data));
        Assert.NotNull(await Store.GetAsync($"{P}/new1"));
        Assert.NotNull(await Store.GetAsync($"{Q}/new2"));
        Assert.Equal(3, await Store.CountAsync(P));
        Assert.Equal(1, await Store.CountAsync(Q));

        var changes = await Store.ReadChangesAsync(0, 100);
        Assert.Equal(6, changes.Count);
        Assert.Equal(seqs.Order(), changes.Skip(3).Select(c => c.Sequence));
        Assert.Equal(2, (await Store.GetHistoryAsync($"{P}/existing")).Count);
    }

    [SkippableFact]
    public async Task Batch_with_several_writes_to_one_key_applies_them_in_order()
    {
        var results = await Store.WriteBatchAsync(
        [
            Create($"{P}/a", "one"),
            Put($"{P}/a", 1, "two"),
            Delete($"{P}/a", 2),
            Put($"{P}/a", 2, "stale"),
        ]);

        Assert.Equal([true, true, true, false], results.Select(r => r.Committed));
        Assert.Equal([1L, 2, 3, 3], results.Select(r => r.Version));
        Assert.True(results[0].Sequence < results[1].Sequence && results[1].Sequence < results[2].Sequence);
        var got = await Store.GetAsync($"{P}/a");
        Assert.False(got!.Exists);
        Assert.Equal(3, got.Version);
        Assert.Equal(0, await Store.CountAsync(P));
        Assert.Equal(["one", "two", "<null>"], (await Store.GetHistoryAsync($"{P}/a")).Select(e => S(e.Data)));
    }

    /// <summary>A batch of distinct keys (the batch path's shape) with every kind of write in it.</summary>
    [SkippableFact]
    public async Task Batch_of_distinct_keys_applies_creates_updates_deletes_and_recreates_each_on_its_own_version()
    {
        await MustCommit(Create($"{P}/live"));
        await MustCommit(Create($"{P}/stale"));
        await MustCommit(Put($"{P}/stale", 1, "v2"));
        await MustCommit(Create($"{P}/dead"));
        await MustCommit(Delete($"{P}/dead", 1));
        await MustCommit(Create($"{P}/gone"));
        await MustCommit(Create($"{P}/edit"));
        var before = (await Store.ReadChangesAsync(0, 100)).Count;

        var results = await Store.WriteBatchAsync(
        [
            Create($"{P}/zz-new", "fresh", actor: null),
            Put($"{P}/stale", 1, "lost"),
            Delete($"{P}/gone", 1),
            Put($"{P}/dead", 2, "again"),
            Create($"{P}/live", "dup"),
            Put($"{P}/missing", 3, "nothing"),
            Create($"{Q}/new", "q"),
            Put($"{P}/edit", 1, "edited"),
            Create($"{P}/aa-new", "first"),
        ]);

        Assert.Equal([true, false, true, true, false, false, true, true, true], results.Select(r => r.Committed));
        Assert.Equal([1L, 2, 2, 3, 1, 0, 1, 2, 1], results.Select(r => r.Version));
        Assert.All(results.Where(r => !r.Committed), r => Assert.Equal(0, r.Sequence));
        var seqs = results.Where(r => r.Committed).Select(r => r.Sequence).ToArray();
        Assert.Equal(6, seqs.Distinct().Count());
        Assert.All(seqs, q => Assert.True(q > 0));

        Assert.Equal("fresh", S((await Store.GetAsync($"{P}/zz-new"))!.Data));
        Assert.Equal("v2", S((await Store.GetAsync($"{P}/stale"))!.Data));
        var gone = (await Store.GetAsync($"{P}/gone"))!;
        Assert.False(gone.Exists);
        Assert.Equal(2, gone.Version);
        Assert.Equal("again", S((await Store.GetAsync($"{P}/dead"))!.Data));
        Assert.Equal("v1", S((await Store.GetAsync($"{P}/live"))!.Data));
        Assert.Null(await Store.GetAsync($"{P}/missing"));
        Assert.Equal("edited", S((await Store.GetAsync($"{P}/edit"))!.Data));
        Assert.Equal($"{P}/EDIT", (await Store.GetAsync($"{P}/edit"))!.Handle);

        // live, stale, dead (recreated), edit, zz-new, aa-new; gone was deleted.
        Assert.Equal(6, await Store.CountAsync(P));
        Assert.Equal(1, await Store.CountAsync(Q));
        Assert.Equal(["v1", "<null>", "again"], (await Store.GetHistoryAsync($"{P}/dead")).Select(h => S(h.Data)));
        Assert.Equal([1L, 2], (await Store.GetHistoryAsync($"{P}/gone")).Select(h => h.Version));
        Assert.Equal(ChangeKind.Delete, (await Store.GetHistoryAsync($"{P}/gone"))[^1].Kind);
        var created = Assert.Single(await Store.GetHistoryAsync($"{P}/zz-new"));
        Assert.Equal((1L, ChangeKind.Create, (string?)null), (created.Version, created.Kind, created.Actor));
        Assert.Equal("tester", (await Store.GetHistoryAsync($"{P}/edit"))[^1].Actor);
        Assert.Single(await Store.GetHistoryAsync($"{P}/live"));
        Assert.Equal(2, (await Store.GetHistoryAsync($"{P}/stale")).Count);

        var changes = (await Store.ReadChangesAsync(0, 100)).Skip(before).ToList();
        Assert.Equal(seqs.Order(), changes.Select(c => c.Sequence));
        Assert.Equal(changes[0].Sequence + changes.Count - 1, changes[^1].Sequence);
        var byKey = changes.ToDictionary(c => c.Key);
        Assert.Equal((2L, ChangeKind.Delete), (byKey[$"{P}/gone"].Version, byKey[$"{P}/gone"].Kind));
        Assert.Equal((3L, ChangeKind.Update), (byKey[$"{P}/dead"].Version, byKey[$"{P}/dead"].Kind));
        Assert.Equal((1L, ChangeKind.Create), (byKey[$"{Q}/new"].Version, byKey[$"{Q}/new"].Kind));
    }

    /// <summary>
    /// Batch writers on overlapping keys, each in its own key order, creating what is missing and
    /// appending to what exists with read-modify-CAS, retrying what conflicted: no update is lost,
    /// no version reused, and no writer fails (on a locking store a deadlock would surface here).
    /// </summary>
    [SkippableFact]
    public async Task Concurrent_batches_on_overlapping_keys_lose_no_update_and_do_not_deadlock()
    {
        const int writers = 6, keys = 40;
        var all = Enumerable.Range(0, keys).Select(k => $"{P}/o-{k:D2}").ToArray();
        await Store.WriteBatchAsync(all.Where((_, k) => k % 2 == 0).Select(k => Create(k, "")).ToArray());

        await Task.WhenAll(Enumerable.Range(0, writers).Select(n => Task.Run(async () =>
        {
            var todo = n % 2 == 0 ? all.ToList() : all.Reverse().ToList();
            for (var attempt = 0; todo.Count > 0; attempt++)
            {
                Assert.True(attempt < 10_000, $"writer {n} never finished");
                var current = await Store.GetManyAsync(todo);
                var writes = todo.Select((k, j) => current[j] is { } c ? Put(k, c.Version, S(c.Data) + $"[{n}]") : Create(k, $"[{n}]")).ToArray();
                var results = await Store.WriteBatchAsync(writes);
                todo = todo.Where((_, j) => !results[j].Committed).ToList();
            }
        })));

        var final = await Store.GetManyAsync(all);
        for (var k = 0; k < keys; k++)
        {
            var r = final[k]!;
            Assert.Equal(k % 2 == 0 ? writers + 1 : writers, r.Version);
            for (var n = 0; n < writers; n++)
                Assert.Contains($"[{n}]", S(r.Data));
            var history = await Store.GetHistoryAsync(all[k]);
            Assert.Equal(Enumerable.Range(1, (int)r.Version).Select(v => (long)v), history.Select(h => h.Version));
        }
        Assert.Equal(keys, await Store.CountAsync(P));
        var changes = await Store.ReadChangesAsync(0, 10_000);
        Assert.Equal(keys / 2 + keys * writers, changes.Count);
        Assert.Equal(Enumerable.Range(1, changes.Count).Select(q => changes[0].Sequence + q - 1), changes.Select(c => c.Sequence));
    }

    [SkippableFact]
    public async Task Empty_batch_writes_nothing()
    {
        Assert.Empty(await Store.WriteBatchAsync([]));
        Assert.Empty(await Store.ReadChangesAsync(0, 10));
    }

    [SkippableFact]
    public async Task Large_batch_is_stored_whole()
    {
        var writes = Enumerable.Range(0, 2000).Select(i => Create($"{P}/item-{i:D5}", $"data-{i}")).ToArray();

        var results = await Store.WriteBatchAsync(writes);

        Assert.All(results, r => Assert.True(r.Committed));
        Assert.Equal(2000, await Store.CountAsync(P));
        Assert.Equal(2000, results.Select(r => r.Sequence).Distinct().Count());
        Assert.Equal("data-1234", S((await Store.GetAsync($"{P}/item-01234"))!.Data));
        Assert.Equal(2000, (await Store.ReadChangesAsync(0, 5000)).Count);
    }

    // ---- concurrency ----------------------------------------------------------------------

    /// <summary>
    /// Many writers on one identifier, each appending its own value with read-modify-CAS and
    /// retrying on conflict: a lost update would drop a value or reuse a version.
    /// </summary>
    [SkippableFact]
    public async Task Concurrent_read_modify_cas_writers_on_one_key_lose_no_update()
    {
        const int writers = 16;
        var key = $"{P}/contended";
        await MustCommit(Create(key, ""));

        var conflicts = 0;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(n => Task.Run(async () =>
        {
            for (var attempt = 0; attempt < 10_000; attempt++)
            {
                var current = (await Store.GetAsync(key))!;
                var next = S(current.Data) + $"[{n}]";
                var r = await Store.WriteAsync(Put(key, current.Version, next));
                if (r.Committed)
                    return;
                Assert.True(r.Version >= current.Version, "a conflict reports a version at least as new as the one read");
                Interlocked.Increment(ref conflicts);
            }
            Assert.Fail($"writer {n} never won");
        })));

        var final = (await Store.GetAsync(key))!;
        Assert.Equal(writers + 1, final.Version);
        for (var n = 0; n < writers; n++)
            Assert.Contains($"[{n}]", S(final.Data));
        var history = await Store.GetHistoryAsync(key);
        Assert.Equal(Enumerable.Range(1, writers + 1).Select(v => (long)v), history.Select(h => h.Version));
        for (var v = 1; v < history.Count; v++)
            Assert.StartsWith(S(history[v - 1].Data), S(history[v].Data));
        var changes = (await Store.ReadChangesAsync(0, 1000)).Where(c => c.Key == key).ToList();
        Assert.Equal(history.Select(h => h.Version), changes.Select(c => c.Version));
    }

    [SkippableFact]
    public async Task Concurrent_writers_on_many_keys_get_distinct_increasing_sequences()
    {
        const int writers = 8, each = 25;
        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(n => Task.Run(async () =>
        {
            var mine = new List<WriteResult>();
            for (var i = 0; i < each; i++)
            {
                var key = $"{P}/w{n}-{i}";
                mine.Add(await MustCommit(Create(key)));
                mine.Add(await MustCommit(Put(key, 1, "v2")));
            }
            return mine;
        })));

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(all.Count, all.Select(r => r.Sequence).Distinct().Count());
        foreach (var mine in results)
            Assert.True(mine.Zip(mine.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), "one writer's later write has a later sequence");
        var changes = await Store.ReadChangesAsync(0, 10_000);
        Assert.Equal(all.Select(r => r.Sequence).Order(), changes.Select(c => c.Sequence));
        Assert.Equal(writers * each, await Store.CountAsync(P));
    }
}
