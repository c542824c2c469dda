using IdNode.Core.Ports;

namespace IdNode.Benchmarks;

/// <summary>A store for hit-path measurements: reaching it means the benchmark measured the wrong path.</summary>
public sealed class UnreachableStore : IRecordStore
{
    private static InvalidOperationException Miss() => new("The benchmark expected an L1 hit and reached the store.");

    public ValueTask<StoredRecord?> GetAsync(string key, CancellationToken cancellationToken = default) => throw Miss();
    public Task<WriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken = default) => throw Miss();
    public Task<IReadOnlyList<WriteResult>> WriteBatchAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken = default) => throw Miss();
    public Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default) => throw Miss();
    public Task<IReadOnlyList<ListedHandle>> ListAsync(string prefix, string? afterKey, int skip, int limit, CancellationToken cancellationToken = default) => throw Miss();
    public Task<IReadOnlyList<string>> ListPrefixesAsync(CancellationToken cancellationToken = default) => throw Miss();
    public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string key, CancellationToken cancellationToken = default) => throw Miss();
    public Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int limit, CancellationToken cancellationToken = default) => throw Miss();
}
