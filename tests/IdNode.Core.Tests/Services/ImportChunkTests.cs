using IdNode.Core.Auth;
using IdNode.Core.Caching;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Node;
using IdNode.Core.Records;
using IdNode.Core.Services;

namespace IdNode.Core.Tests.Services;

/// <summary>The import path (and batches, which share its loop): batch rules per item, create-only chunks written without reading, and no L1 residue for identifiers nobody read.</summary>
public sealed class ImportChunkTests
{
    private readonly InMemoryStore _store = new();
    private readonly NodeSettings _node = new("88.999");
    private readonly L1Cache _l1 = new(64 << 20);
    private readonly Resolver _resolver;
    private readonly RecordService _service;
    private readonly Principal _admin = Principal.ForHandleIdentity(new HandleIdentity(300, "88.999/ADMIN"), "88.999/ADMIN", "88.999", isNodeAdmin: true);

    public ImportChunkTests()
    {
        _resolver = new Resolver(_store, _l1, new ResolverOptions());
        _service = new RecordService(_store, _node, new WriteAuthorizer(_node), [_resolver]);
    }

    private static BatchPutItem Item(string handle, string data)
        => new(Identifier.Parse(handle), [new HandleValue(1, "URL", ValueData.FromString(data))]);

    private static List<BatchPutItem> Items(int from, int count, string data = "https://example.com/p")
        => Enumerable.Range(from, count).Select(i => Item($"88.999.1/IMP-{i:D6}", data)).ToList();

    [Fact]
    public async Task Importing_identifiers_nobody_has_read_leaves_nothing_in_L1()
    {
        // One key was read before (a cached "not found"): the import must replace that answer.
        var read = Identifier.Parse("88.999.1/IMP-000042");
        Assert.False((await _resolver.ResolveAsync(read.Key)).IsFound);
        Assert.Equal(1, _l1.Count);

        for (var chunk = 0; chunk < 3; chunk++)
        {
            var outcomes = await _service.ImportChunkAsync(Items(chunk * 500, 500), overwrite: false, _admin);
            Assert.All(outcomes, o => Assert.True(o.Succeeded));
        }

        // 1500 commits, and L1 holds only what it held before (now as a marker): no per-key marker
        // for the 1499 identifiers that were never cached or loading.
        Assert.Equal(1, _l1.Count);
        Assert.Equal("https://example.com/p", (await _resolver.ResolveAsync(read.Key)).Record!.Values[0].Data.Text);
    }

    [Fact]
    public async Task A_batch_tells_the_caches_once_per_round_and_leaves_nothing_in_L1_for_unread_identifiers()
    {
        var read = Identifier.Parse("88.999.1/IMP-000007");
        Assert.False((await _resolver.ResolveAsync(read.Key)).IsFound);
        var counting = new CountingListener();
        var service = new RecordService(_store, _node, new WriteAuthorizer(_node), [_resolver, counting]);

        var outcomes = await service.BatchPutAsync(Items(0, 300), overwrite: false, _admin);

        Assert.All(outcomes, o => Assert.True(o.Succeeded && o.Result.Created));
        Assert.Equal((0, 1, 300), (counting.Single, counting.Many, counting.Commits));
        Assert.Equal(1, _l1.Count);                                                  // the key that was read, now a marker
        Assert.Equal("https://example.com/p", (await _resolver.ResolveAsync(read.Key)).Record!.Values[0].Data.Text);
    }

    private sealed class CountingListener : IRecordChangeListener
    {
        public int Single;
        public int Many;
        public int Commits;

        public void OnCommitted(string key, long version) => Single++;

        public ValueTask OnCommittedManyAsync(IReadOnlyList<RecordCommit> commits)
        {
            Many++;
            Commits += commits.Count;
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task A_write_that_is_not_an_import_still_leaves_its_marker()
    {
        // The contrast that shows the count above is the import's doing: a single put keeps the
        // marker that protects a concurrent slow reader.
        await _service.PutAsync(Identifier.Parse("88.999.1/SINGLE"), [new HandleValue(1, "URL", ValueData.FromString("x"))], PutOptions.Replace, _admin);
        Assert.Equal(1, _l1.Count);
    }

    [Fact]
    public async Task A_create_only_chunk_of_new_identifiers_is_written_without_reading_them()
    {
        var outcomes = await _service.ImportChunkAsync(Items(0, 200), overwrite: false, _admin);

        Assert.All(outcomes, o => Assert.True(o.Succeeded && o.Result.Created && o.Result.Version == 1));
        Assert.Equal(0, _store.Gets);
    }

    [Fact]
    public async Task Existing_identifiers_in_a_create_only_chunk_are_decided_item_by_item()
    {
        await _service.ImportChunkAsync([Item("88.999.1/SAME", "a"), Item("88.999.1/OTHER", "a")], overwrite: false, _admin);

        var outcomes = await _service.ImportChunkAsync(
            [Item("88.999.1/SAME", "a"), Item("88.999.1/OTHER", "b"), Item("88.999.1/NEW", "a"), Item("88.999.1/NEW", "c")], overwrite: false, _admin);

        Assert.True(outcomes[0].Succeeded);                                        // identical: a resent file succeeds
        Assert.False(outcomes[0].Result.Changed);
        Assert.Equal(ResponseCode.HandleAlreadyExists, outcomes[1].Error!.Code);   // other content: refused, not replaced
        Assert.True(outcomes[2].Succeeded && outcomes[2].Result.Created);
        Assert.Equal(ResponseCode.HandleAlreadyExists, outcomes[3].Error!.Code);   // the repeat sees the first one's result
        Assert.Equal("a", (await _service.GetAsync(Identifier.Parse("88.999.1/OTHER")))!.Values[0].Data.Text);
        Assert.Equal("a", (await _service.GetAsync(Identifier.Parse("88.999.1/NEW")))!.Values[0].Data.Text);
    }

    [Fact]
    public async Task A_deleted_identifier_is_created_again_by_an_import()
    {
        var id = Identifier.Parse("88.999.1/GONE");
        await _service.PutAsync(id, [new HandleValue(1, "URL", ValueData.FromString("old"))], PutOptions.Replace, _admin);
        await _service.DeleteAsync(id, null, _admin);

        var outcomes = await _service.ImportChunkAsync([Item("88.999.1/GONE", "new")], overwrite: false, _admin);

        Assert.True(outcomes[0].Succeeded && outcomes[0].Result.Created);
        Assert.Equal(3, outcomes[0].Result.Version); // tombstones keep versions: create 1, delete 2, create 3
        Assert.Equal("new", (await _service.GetAsync(id))!.Values[0].Data.Text);
    }

    [Fact]
    public async Task An_overwrite_chunk_replaces_existing_records_and_the_next_read_sees_them()
    {
        await _service.ImportChunkAsync(Items(0, 10, "v1"), overwrite: false, _admin);
        var key = Identifier.Parse("88.999.1/IMP-000003").Key;
        Assert.Equal("v1", (await _resolver.ResolveAsync(key)).Record!.Values[0].Data.Text);

        var outcomes = await _service.ImportChunkAsync(Items(0, 10, "v2"), overwrite: true, _admin);

        Assert.All(outcomes, o => Assert.True(o.Succeeded && !o.Result.Created && o.Result.Version == 2));
        Assert.Equal("v2", (await _resolver.ResolveAsync(key)).Record!.Values[0].Data.Text);
    }
}
