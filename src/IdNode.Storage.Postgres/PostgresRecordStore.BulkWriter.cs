using IdNode.Core.Ports;

namespace IdNode.Storage.Postgres;

public sealed partial class PostgresRecordStore : IBulkRecordWriter
{
    /// <summary>
    /// The import path: creations go through <see cref="BulkInsertAsync"/> (binary COPY); a key that
    /// turned out to exist is reported as a conflict, so the caller re-reads it and decides (identical
    /// content succeeds, other content is "already exists"). Updates use the ordinary batch.
    /// </summary>
    public async Task<IReadOnlyList<WriteResult>> WriteBulkAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken = default)
    {
        var results = new WriteResult[writes.Count];
        var creates = new List<int>(writes.Count);
        var others = new List<int>();
        for (var i = 0; i < writes.Count; i++)
            (writes[i].ExpectedVersion == 0 && writes[i].Data is not null ? creates : others).Add(i);

        if (creates.Count > 0)
        {
            var inserted = await BulkInsertAsync(creates.Select(i => writes[i]).ToArray(), cancellationToken).ConfigureAwait(false);
            var existing = new HashSet<string>(inserted.Existing, StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var i in creates)
            {
                // A key repeated in one call: the first occurrence was inserted, the others conflict.
                var committed = !existing.Contains(writes[i].Key) && seen.Add(writes[i].Key);
                results[i] = committed ? new WriteResult(WriteOutcome.Committed, 1, 0) : new WriteResult(WriteOutcome.Conflict, 0, 0);
            }
        }
        if (others.Count > 0)
        {
            var batch = await WriteBatchAsync(others.Select(i => writes[i]).ToArray(), cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < others.Count; j++)
                results[others[j]] = batch[j];
        }
        return results;
    }
}
