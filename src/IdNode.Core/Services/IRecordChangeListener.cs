namespace IdNode.Core.Services;

/// <summary>Told after a write has committed, so caches can drop the old answer (L1 directly; Redis and other nodes in production).</summary>
public interface IRecordChangeListener
{
    void OnCommitted(string key, long version);

    /// <summary>
    /// The commits of one bulk-import chunk, told at once. Completes when this listener no longer
    /// serves the old versions, so the import may acknowledge the chunk. A listener that can do
    /// better than one <see cref="OnCommitted"/> per key (one signal, L2 tombstones written before
    /// L1 is told, no per-key markers) overrides it.
    /// </summary>
    ValueTask OnCommittedManyAsync(IReadOnlyList<RecordCommit> commits)
    {
        foreach (var c in commits)
            OnCommitted(c.Key, c.Version);
        return ValueTask.CompletedTask;
    }
}
