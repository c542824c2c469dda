using IdNode.Core.Auth;
using IdNode.Core.Identifiers;
using IdNode.Core.Node;
using IdNode.Core.Ports;
using IdNode.Core.Records;
using IdNode.Core.Services;
using IdNode.Storage.Sqlite;

namespace IdNode.Server.Tests.Grpc;

/// <summary>The batch write path that BatchRegister and Import share, on the real embedded store.</summary>
public sealed class RecordServiceBatchTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "idnode-batch-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteRecordStore _sqlite;
    private readonly InterleavingStore _store;
    private readonly RecordService _records;
    private readonly NodeSettings _node = new("88.999");
    private readonly Principal _admin;

    public RecordServiceBatchTests()
    {
        Directory.CreateDirectory(_directory);
        _sqlite = new SqliteRecordStore(new SqliteStoreOptions { Path = Path.Combine(_directory, "idnode.db"), SyncEveryCommit = false });
        _store = new InterleavingStore(_sqlite);
        _records = new RecordService(_store, _node, new WriteAuthorizer(_node), []);
        _admin = Principal.ForHandleIdentity(new HandleIdentity(300, "88.999/ADMIN"), "88.999/ADMIN", "88.999", isNodeAdmin: true);
    }

    public void Dispose()
    {
        _sqlite.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Identifier Id(string handle) => Identifier.Parse(handle, _node.Rules);

    private static HandleValue[] Url(string url) => [new HandleValue(1, "URL", ValueData.FromString(url))];

    [Fact]
    public async Task A_conflict_free_batch_is_one_store_batch()
    {
        var items = Enumerable.Range(0, 100).Select(i => new BatchPutItem(Id($"88.999.1/n-{i}"), Url("https://example.cn/n"))).ToArray();

        var outcomes = await _records.BatchPutAsync(items, overwrite: false, _admin);

        Assert.All(outcomes, o => Assert.True(o.Succeeded && o.Result.Created));
        Assert.Equal(1, _store.BatchCalls);
        Assert.Equal(100, await _store.CountAsync("88.999.1"));
    }

    [Fact]
    public async Task An_item_that_loses_a_race_is_retried_on_the_new_state_and_the_others_commit_once()
    {
        await _records.PutAsync(Id("88.999.1/raced"), Url("https://example.cn/v1"), PutOptions.Replace, _admin);
        // Another writer commits between the batch's read and its write.
        _store.BeforeNextBatch = () => _records.PutAsync(Id("88.999.1/raced"), Url("https://example.cn/concurrent"), PutOptions.Replace, _admin);

        var outcomes = await _records.BatchPutAsync(
            [new BatchPutItem(Id("88.999.1/raced"), Url("https://example.cn/batch")), new BatchPutItem(Id("88.999.1/calm"), Url("https://example.cn/calm"))],
            overwrite: true, _admin);

        Assert.All(outcomes, o => Assert.True(o.Succeeded));
        Assert.Equal(3, outcomes[0].Result.Version);
        Assert.Equal(1, outcomes[1].Result.Version);
        Assert.Equal(2, _store.BatchCalls);
        var history = await _store.GetHistoryAsync("88.999.1/raced");
        Assert.Equal([1L, 2L, 3L], history.Select(h => h.Version));
        Assert.Equal("https://example.cn/batch", (await _records.GetAsync(Id("88.999.1/raced")))!.Values[0].Data.Text);
        Assert.Single(await _store.GetHistoryAsync("88.999.1/calm"));
    }

    [Fact]
    public async Task A_composed_item_merges_into_the_state_it_commits_on_even_after_losing_a_race()
    {
        HandleValue[] Two(string url, string email) => [new HandleValue(1, "URL", ValueData.FromString(url)), new HandleValue(2, "EMAIL", ValueData.FromString(email))];
        await _records.PutAsync(Id("88.999.1/merged"), Two("https://example.cn/v1", "a@example.cn"), PutOptions.Replace, _admin);
        // Another writer changes the value the merge keeps, between the batch's read and its write.
        _store.BeforeNextBatch = () => _records.PutAsync(Id("88.999.1/merged"), Two("https://example.cn/v1", "b@example.cn"), PutOptions.Replace, _admin);
        static IReadOnlyList<HandleValue> KeepEmail(HandleRecord existing)
            => [new HandleValue(1, "URL", ValueData.FromString("https://example.cn/batch")), .. existing.Values.Where(v => v.Index != 1)];

        var outcomes = await _records.BatchPutAsync(
        [
            new BatchPutItem(Id("88.999.1/merged"), Url("https://example.cn/batch"), KeepEmail),
            new BatchPutItem(Id("88.999.1/absent"), Url("https://example.cn/batch"), KeepEmail),
        ], overwrite: true, _admin);

        Assert.True(outcomes[0].Succeeded);
        Assert.Equal(3, outcomes[0].Result.Version);
        var merged = (await _records.GetAsync(Id("88.999.1/merged")))!;
        Assert.Equal(["https://example.cn/batch", "b@example.cn"], merged.Values.Select(v => v.Data.Text));
        Assert.Equal(Core.Handles.ResponseCode.HandleNotFound, outcomes[1].Error?.Code);
        Assert.Null(await _store.GetAsync("88.999.1/absent"));
        // One multi-key read per round: the first, and the retry of the item that lost.
        Assert.Equal(2, _store.ManyReads);
    }

    [Fact]
    public async Task More_than_2000_items_are_refused_before_anything_is_read()
    {
        var items = Enumerable.Range(0, 2001).Select(i => new BatchPutItem(Id($"88.999.1/o-{i}"), Url("https://example.cn/o"))).ToArray();

        var e = await Assert.ThrowsAsync<Core.Handles.HandleException>(() => _records.BatchPutAsync(items, false, _admin));

        Assert.Equal(Core.Handles.ResponseCode.ProtocolError, e.Code);
        Assert.Equal(0, _store.BatchCalls);
    }

    /// <summary>The real store, with a hook to let another writer in just before the next batch commits.</summary>
    private sealed class InterleavingStore(IRecordStore inner) : IRecordStore
    {
        public Func<Task>? BeforeNextBatch { get; set; }
        public int BatchCalls { get; private set; }
        public int ManyReads { get; private set; }

        public async Task<IReadOnlyList<WriteResult>> WriteBatchAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken = default)
        {
            BatchCalls++;
            if (BeforeNextBatch is { } hook)
            {
                BeforeNextBatch = null;
                await hook();
            }
            return await inner.WriteBatchAsync(writes, cancellationToken);
        }

        public ValueTask<StoredRecord?> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);
        public Task<IReadOnlyList<StoredRecord?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
        {
            ManyReads++;
            return inner.GetManyAsync(keys, cancellationToken);
        }

        public Task<WriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken = default) => inner.WriteAsync(write, cancellationToken);
        public Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default) => inner.CountAsync(prefix, cancellationToken);
        public Task<IReadOnlyList<ListedHandle>> ListAsync(string prefix, string? afterKey, int skip, int limit, CancellationToken cancellationToken = default)
            => inner.ListAsync(prefix, afterKey, skip, limit, cancellationToken);
        public Task<IReadOnlyList<string>> ListPrefixesAsync(CancellationToken cancellationToken = default) => inner.ListPrefixesAsync(cancellationToken);
        public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string key, CancellationToken cancellationToken = default) => inner.GetHistoryAsync(key, cancellationToken);
        public Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int limit, CancellationToken cancellationToken = default)
            => inner.ReadChangesAsync(afterSequence, limit, cancellationToken);
    }
}
