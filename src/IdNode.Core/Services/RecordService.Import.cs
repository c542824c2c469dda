using IdNode.Core.Auth;
using IdNode.Core.Handles;
using IdNode.Core.Ports;

namespace IdNode.Core.Services;

public sealed partial class RecordService
{
    /// <summary>
    /// One chunk of a streaming import of any size (the caller bounds the chunk): the rules of
    /// <see cref="BatchPutAsync"/> (an identical item succeeds unchanged, a failed item does not stop
    /// the others), written through the store's bulk path when one is registered. Two differences
    /// keep an import of millions fast and its memory flat:
    /// <list type="bullet">
    /// <item>A create-only chunk is written without reading first: most imported identifiers are
    /// new, and the store's create (expected version 0) refuses the ones that exist, which are then
    /// read and decided like a batch item (identical: success; other content: already exists).</item>
    /// <item>The caches are told once per round and before the chunk is acknowledged
    /// (<see cref="IRecordChangeListener.OnCommittedManyAsync"/>), so identifiers nobody has read
    /// leave nothing behind in L1.</item>
    /// </list>
    /// </summary>
    public async Task<IReadOnlyList<BatchPutOutcome>> ImportChunkAsync(IReadOnlyList<BatchPutItem> items, bool overwrite, Principal? principal, CancellationToken cancellationToken = default)
    {
        Func<IReadOnlyList<RecordWrite>, CancellationToken, Task<IReadOnlyList<WriteResult>>> write =
            _bulkWriter is { } bulk ? bulk.WriteBulkAsync : _store.WriteBatchAsync;
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
        var round = new List<(int Item, RecordWrite Write, PutResult Planned)>();
        var commits = new List<RecordCommit>();
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
                // The same identifier twice in one round would conflict with itself; the repeat
                // waits for the next round and then sees the first one's result.
                if (!keys.Add(items[i].Id.Key))
                    later.Add(i);
                else if (++attempts[i] > MaxAttempts)
                    outcomes[i] = new BatchPutOutcome(default, new HandleException(ResponseCode.ServerTooBusy, $"Too many concurrent writes to {items[i].Id.Display}; retry"));
                else
                    admitted.Add(i);
            }

            var current = read ? await ReadManyAsync(items, admitted, cancellationToken).ConfigureAwait(false) : null;
            for (var a = 0; a < admitted.Count; a++)
            {
                var i = admitted[a];
                try
                {
                    var (w, planned) = PlanPut(items[i].Id, items[i].Values, options, principal, null, current?[a], identicalIsSuccess: true);
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
                        commits.Add(new RecordCommit(w.Key, results[j].Version));
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

    private async Task NotifyManyAsync(IReadOnlyList<RecordCommit> commits)
    {
        if (commits.Count == 0)
            return;
        foreach (var l in _listeners)
            await l.OnCommittedManyAsync(commits).ConfigureAwait(false);
    }
}
