using System.Collections.Concurrent;
using IdNode.Core.Ports;

namespace IdNode.Core.Tests.Services;

/// <summary>A unit-test fake of the store contract (compare-and-set, tombstones, history, change log).</summary>
internal sealed class InMemoryStore : IRecordStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, StoredRecord> _rows = new(StringComparer.Ordinal);
    private readonly List<HistoryEntry> _history = [];
    private readonly List<ChangeEntry> _changes = [];
    public int Conflicts;
    public int Gets;

    public ValueTask<StoredRecord?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Gets);
        lock (_gate)
            return ValueTask.FromResult(_rows.GetValueOrDefault(key));
    }

    public async Task<WriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken = default)
        => (await WriteBatchAsync([write], cancellationToken))[0];

    public async Task<IReadOnlyList<WriteResult>> WriteBatchAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken = default)
    {
        await Task.Yield(); // let concurrent writers interleave between read and write
        lock (_gate)
        {
            var results = new List<WriteResult>();
            foreach (var w in writes)
            {
                var current = _rows.GetValueOrDefault(w.Key)?.Version ?? 0;
                if (current != w.ExpectedVersion)
                {
                    Conflicts++;
                    results.Add(new WriteResult(WriteOutcome.Conflict, current, 0));
                    continue;
                }
                var version = current + 1;
                _rows[w.Key] = new StoredRecord(w.Key, w.Handle, version, w.Data, 0);
                _history.Add(new HistoryEntry(w.Handle, version, w.Kind, w.Data, 0, w.Actor));
                _changes.Add(new ChangeEntry(_changes.Count + 1, w.Key, w.Handle, version, w.Kind, 0));
                results.Add(new WriteResult(WriteOutcome.Committed, version, _changes.Count));
            }
            return results;
        }
    }

    public Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<IReadOnlyList<ListedHandle>> ListAsync(string prefix, string? afterKey, int skip, int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<IReadOnlyList<string>> ListPrefixesAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string key, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<HistoryEntry>>(_history.Where(h => _rows.ContainsKey(key)).ToList());
    }

    public Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<ChangeEntry>>(_changes.Where(c => c.Sequence > afterSequence).Take(limit).ToList());
    }
}
