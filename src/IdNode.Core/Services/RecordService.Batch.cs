using IdNode.Core.Auth;
using IdNode.Core.Handles;
using IdNode.Core.Ports;

namespace IdNode.Core.Services;

public sealed partial class RecordService
{
    /// <summary>Batch calls (BatchRegister, SNMS batchCreate) take at most this many items.</summary>
    public const int MaxBatchItems = 2000;

    /// <summary>
    /// Creates (or with <paramref name="overwrite"/> replaces) many identifiers with the same rules
    /// as <see cref="PutAsync"/>, validated and authorised item by item, committed with one store
    /// batch per round. An item that already holds exactly the given values succeeds unchanged,
    /// so a retried batch is harmless. A failed item does not stop the others.
    /// </summary>
    public Task<IReadOnlyList<BatchPutOutcome>> BatchPutAsync(IReadOnlyList<BatchPutItem> items, bool overwrite, Principal? principal, CancellationToken cancellationToken = default)
    {
        if (items.Count > MaxBatchItems)
            throw new HandleException(ResponseCode.ProtocolError, $"items: at most {MaxBatchItems} per batch (got {items.Count})");
        return PutManyAsync(items, overwrite, principal, bulk: false, cancellationToken);
    }

    /// <summary>
    /// The one loop behind batches and import chunks. Each round admits every identifier once,
    /// reads the admitted ones with one multi-key store read, plans each item on its stored state and
    /// writes the round with one store call; items whose compare-and-set lost go to the next round.
    /// A create-only round (no overwrite, no merge) skips the read: most items are new, and the
    /// store's create (expected version 0) refuses the ones that exist, which the next round reads
    /// and decides like any other (identical: success; other content: already exists).
    /// <paramref name="bulk"/> (imports) writes through the store's bulk path when there is one.
    /// Batches and imports alike tell the caches once per round, before the batch or chunk is
    /// acknowledged (<see cref="IRecordChangeListener.OnCommittedManyAsync"/>): identifiers nobody
    /// has read leave nothing behind in L1, and L2 tombstones and bus messages go out pipelined
    /// instead of one fire-and-forget task per identifier.
    /// </summary>
    private async Task<IReadOnlyList<BatchPutOutcome>> PutManyAsync(IReadOnlyList<BatchPutItem> items, bool overwrite, Principal? principal, bool bulk, CancellationToken cancellationToken)
    {
        Func<IReadOnlyList<RecordWrite>, CancellationToken, Task<IReadOnlyList<WriteResult>>> write =
            bulk && _bulkWriter is { } bulkWriter ? bulkWriter.WriteBulkAsync : _store.WriteBatchAsync;
        var options = new PutOptions(Overwrite: overwrite);
        var outcomes = new BatchPutOutcome[items.Count];
        var attempts = new int[items.Count];
        var pending = new List<int>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            try
            {
                ValidatePut(items[i].Id, items[i].Values);
                pending.Add(i);
            }
            catch (HandleException e)
            {
                outcomes[i] = new BatchPutOutcome(default, e);
            }
        }

        var read = overwrite;
        foreach (var i in pending)
            read |= items[i].Compose is not null;
        var round = new List<(int Item, RecordWrite Write, PutResult Planned)>(pending.Count);
        var commits = new List<RecordCommit>(pending.Count);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            round.Clear();
            commits.Clear();
            keys.Clear();
            var later = new List<int>();
            var admitted = new List<int>(pending.Count);
            foreach (var i in pending)
            {
                var item = items[i];
                // The same identifier twice in one round would conflict with itself; the repeat
                // waits for the next round and then sees the first one's result.
                if (!keys.Add(item.Id.Key))
                {
                    later.Add(i);
                    continue;
                }
                if (++attempts[i] > MaxAttempts)
                {
                    outcomes[i] = new BatchPutOutcome(default, new HandleException(ResponseCode.ServerTooBusy, $"Too many concurrent writes to {item.Id.Display}; retry"));
                    continue;
                }
                admitted.Add(i);
            }

            IReadOnlyList<StoredRecord?>? current = null;
            if (read)
            {
                var keyList = new string[admitted.Count];
                for (var a = 0; a < admitted.Count; a++)
                    keyList[a] = items[admitted[a]].Id.Key;
                current = await _store.GetManyAsync(keyList, cancellationToken).ConfigureAwait(false);
            }
            for (var a = 0; a < admitted.Count; a++)
            {
                var i = admitted[a];
                var item = items[i];
                try
                {
                    var stored = current?[a];
                    var existing = Decode(stored);
                    var values = item.Values;
                    if (item.Compose is { } compose)
                    {
                        if (existing is null)
                            throw new HandleException(ResponseCode.HandleNotFound, $"Handle not found: {item.Id.Display}");
                        values = compose(existing);
                        ValidatePut(item.Id, values);
                    }
                    var (w, planned) = PlanPut(item.Id, values, options, principal, null, stored, existing, identicalIsSuccess: true);
                    if (w is null)
                        outcomes[i] = new BatchPutOutcome(planned, null);
                    else
                        round.Add((i, w, planned));
                }
                catch (HandleException e)
                {
                    outcomes[i] = new BatchPutOutcome(default, e);
                }
            }

            if (round.Count > 0)
            {
                var writes = new RecordWrite[round.Count];
                for (var j = 0; j < round.Count; j++)
                    writes[j] = round[j].Write;
                var results = await write(writes, cancellationToken).ConfigureAwait(false);
                for (var j = 0; j < round.Count; j++)
                {
                    var (i, w, planned) = round[j];
                    if (results[j].Committed)
                    {
                        commits.Add(new RecordCommit(w.Key, results[j].Version, results[j].Sequence));
                        outcomes[i] = new BatchPutOutcome(planned with { Version = results[j].Version }, null);
                    }
                    else
                    {
                        // Exists after all (or changed meanwhile): decided on its stored state next round.
                        later.Add(i);
                    }
                }
                // Told before the next round's store calls, so a failure there cannot leave a commit untold.
                await NotifyManyAsync(commits).ConfigureAwait(false);
            }
            pending = later;
            read = true;
        }
        return outcomes;
    }
}
