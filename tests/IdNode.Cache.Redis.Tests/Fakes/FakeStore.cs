using IdNode.Core.Json;
using IdNode.Core.Ports;
using IdNode.Core.Records;

namespace IdNode.Cache.Redis.Tests.Fakes;

/// <summary>An in-memory store whose reads can be held at a gate, to line up races deterministically.</summary>
public sealed class FakeStore : IRecordStore
{
    private readonly Dictionary<string, StoredRecord> _rows = new(StringComparer.Ordinal);
    private readonly List<ChangeEntry> _log = [];
    private int _gets;

    public int Gets => Volatile.Read(ref _gets);

    /// <summary>When set, reads wait for it (after taking their snapshot of the row).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>When set, every read (record or change log) throws it.</summary>
    public Exception? Failure { get; set; }

    public long NextSequence { get; set; } = 1;

    /// <summary>Change-log entries handed out by <see cref="ReadChangesAsync"/> so far.</summary>
    public int ChangesRead { get; private set; }

    public static byte[] Values(string url, int ttl = HandleValue.DefaultTtl)
        => HandleJsonWriter.Stored([new HandleValue(1, "URL", ValueData.FromString(url), ttl, Permissions: ValuePermissions.Default)]);

    public StoredRecord Put(string key, string url, int ttl = HandleValue.DefaultTtl)
    {
        lock (_rows)
        {
            var version = _rows.TryGetValue(key, out var old) ? old.Version + 1 : 1;
            var row = new StoredRecord(key, key, version, Values(url, ttl), 0);
            _rows[key] = row;
            _log.Add(new ChangeEntry(NextSequence++, key, key, version, version == 1 ? ChangeKind.Create : ChangeKind.Update, 0));
            return row;
        }
    }

    public async ValueTask<StoredRecord?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _gets);
        if (Failure is { } f)
            throw f;
        StoredRecord? row;
        lock (_rows)
            row = _rows.GetValueOrDefault(key);
        if (Gate is { } gate)
            await gate.Task.WaitAsync(cancellationToken);
        return row;
    }

    public Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        if (Failure is { } f)
            throw f;
        lock (_rows)
        {
            var changes = _log.Where(c => c.Sequence > afterSequence).Take(limit).ToList();
            ChangesRead += changes.Count;
            return Task.FromResult<IReadOnlyList<ChangeEntry>>(changes);
        }
    }

    public Task<WriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<IReadOnlyList<WriteResult>> WriteBatchAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<IReadOnlyList<ListedHandle>> ListAsync(string prefix, string? afterKey, int skip, int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<IReadOnlyList<string>> ListPrefixesAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
