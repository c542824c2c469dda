namespace IdNode.Core.Ports;

/// <summary>What kind of change a write made.</summary>
public enum ChangeKind
{
    Create = 1,
    Update = 2,
    Delete = 3,
}

/// <summary>
/// The stored state of one identifier. <see cref="Data"/> is null for a deleted identifier
/// (a tombstone): its version still counts, so versions keep increasing after a re-create.
/// </summary>
public sealed record StoredRecord(string Key, string Handle, long Version, byte[]? Data, long UpdatedAt)
{
    public bool Exists => Data is not null;
}

/// <summary>
/// One compare-and-set write. It commits only when the stored version still equals
/// <see cref="ExpectedVersion"/> (0 = no row at all); <see cref="Data"/> null deletes.
/// </summary>
public sealed record RecordWrite(string Key, string Handle, string Prefix, long ExpectedVersion, byte[]? Data, ChangeKind Kind, string? Actor);

public enum WriteOutcome
{
    Committed,
    /// <summary>Someone else wrote first; re-read and retry.</summary>
    Conflict,
}

/// <param name="Sequence">The change-log sequence of a committed write; 0 when the store does not report it.</param>
public readonly record struct WriteResult(WriteOutcome Outcome, long Version, long Sequence)
{
    public bool Committed => Outcome == WriteOutcome.Committed;
}

/// <summary>One row of the change log: monotonic sequence, what changed, at which version.</summary>
public sealed record ChangeEntry(long Sequence, string Key, string Handle, long Version, ChangeKind Kind, long At);

/// <summary>One version of a record in the append-only history.</summary>
public sealed record HistoryEntry(string Handle, long Version, ChangeKind Kind, byte[]? Data, long At, string? Actor);

public readonly record struct ListedHandle(string Key, string Handle);
