namespace IdNode.Core.Ports;

/// <summary>
/// The durable store. Every write is one transaction covering the record row, its history and its
/// change-log row; a returned <see cref="WriteOutcome.Committed"/> means it is durable. History
/// keeps every version: a store may write each version to history as it is made (SQLite) or keep
/// the current version only in the record row and move it to history in the transaction that
/// supersedes it (PostgreSQL) — <see cref="GetHistoryAsync"/> answers the same either way.
/// Keys are normalised identifiers (<see cref="Identifiers.Identifier.Key"/>).
/// </summary>
public interface IRecordStore
{
    /// <summary>The current state, a tombstone when deleted, or null when the key never existed.</summary>
    ValueTask<StoredRecord?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="GetAsync"/> of many keys at once, answered in the order of <paramref name="keys"/>
    /// (a key given twice is answered twice). Batch writes read every item's state with it: on a
    /// networked store one query instead of one round trip per key. The default reads one key at a time.
    /// </summary>
    async Task<IReadOnlyList<StoredRecord?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        var records = new StoredRecord?[keys.Count];
        for (var i = 0; i < keys.Count; i++)
            records[i] = await GetAsync(keys[i], cancellationToken).ConfigureAwait(false);
        return records;
    }

    Task<WriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken = default);

    /// <summary>Writes many records in one transaction; each item commits or conflicts on its own expected version.</summary>
    Task<IReadOnlyList<WriteResult>> WriteBatchAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken = default);

    /// <summary>Live identifiers whose prefix is exactly <paramref name="prefix"/> (normalised). O(1): kept as a counter.</summary>
    Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Live identifiers of <paramref name="prefix"/> in key order, after <paramref name="afterKey"/>
    /// (a seek, not a scan) and then skipping <paramref name="skip"/> rows.
    /// </summary>
    Task<IReadOnlyList<ListedHandle>> ListAsync(string prefix, string? afterKey, int skip, int limit, CancellationToken cancellationToken = default);

    /// <summary>Prefixes (normalised) that hold at least one live identifier.</summary>
    Task<IReadOnlyList<string>> ListPrefixesAsync(CancellationToken cancellationToken = default);

    /// <summary>Every version of the identifier, oldest first.</summary>
    Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Changes with a sequence greater than <paramref name="afterSequence"/>, in order.</summary>
    Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int limit, CancellationToken cancellationToken = default);
}
