namespace IdNode.Core.Caching;

public sealed class CoherenceOptions
{
    /// <summary>Longest time a node may serve a record after a newer version committed, ms (default 1000).</summary>
    public int StaleBoundMs { get; init; } = 1000;

    /// <summary>How often the change log is read, ms (default 200).</summary>
    public int PollIntervalMs { get; init; } = 200;

    /// <summary>Changes read per store round trip (default 1000).</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>How long an L2 tombstone refuses fills of older versions, seconds (default 60).</summary>
    public int TombstoneSeconds { get; init; } = 60;

    /// <summary>L2 invalidations kept for retry while the shared cache is unreachable; beyond this L2 is cleared when it returns (default 100000).</summary>
    public int MaxPendingInvalidations { get; init; } = 100_000;

    /// <summary>
    /// Commits per L2 tombstone call and per bus message when a batch, an import chunk or a page of
    /// the change log is announced (default 500): one round trip each instead of one per
    /// identifier; a failed call leaves only its own commits to retry.
    /// </summary>
    public int InvalidationChunk { get; init; } = 500;
}
