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
    /// <item>No item limit: the caller bounds the chunk.</item>
    /// <item>The caches are told once per round and before the chunk is acknowledged
    /// (<see cref="IRecordChangeListener.OnCommittedManyAsync"/>), so identifiers nobody has read
    /// leave nothing behind in L1.</item>
    /// </list>
    /// </summary>
    public Task<IReadOnlyList<BatchPutOutcome>> ImportChunkAsync(IReadOnlyList<BatchPutItem> items, bool overwrite, Principal? principal, CancellationToken cancellationToken = default)
        => PutManyAsync(items, overwrite, principal, bulk: true, cancellationToken);

    private async Task NotifyManyAsync(IReadOnlyList<RecordCommit> commits)
    {
        if (commits.Count == 0)
            return;
        foreach (var l in _listeners)
            await l.OnCommittedManyAsync(commits).ConfigureAwait(false);
    }
}
