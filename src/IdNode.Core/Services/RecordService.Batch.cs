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
        return BatchPutCoreAsync(items, overwrite, principal, _store.WriteBatchAsync, cancellationToken);
    }

    private async Task<IReadOnlyList<BatchPutOutcome>> BatchPutCoreAsync(IReadOnlyList<BatchPutItem> items, bool overwrite, Principal? principal,
        Func<IReadOnlyList<RecordWrite>, CancellationToken, Task<IReadOnlyList<WriteResult>>> write, CancellationToken cancellationToken)
    {
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

        var round = new List<(int Item, RecordWrite Write, PutResult Planned)>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            round.Clear();
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

            var keyList = new string[admitted.Count];
            for (var a = 0; a < admitted.Count; a++)
                keyList[a] = items[admitted[a]].Id.Key;
            var current = await _store.GetManyAsync(keyList, cancellationToken).ConfigureAwait(false);
            for (var a = 0; a < admitted.Count; a++)
            {
                var i = admitted[a];
                var item = items[i];
                try
                {
                    var stored = current[a];
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
                        Notify(w.Key, results[j].Version);
                        outcomes[i] = new BatchPutOutcome(planned with { Version = results[j].Version }, null);
                    }
                    else
                    {
                        later.Add(i);
                    }
                }
            }
            pending = later;
        }
        return outcomes;
    }
}
