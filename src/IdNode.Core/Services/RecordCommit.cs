namespace IdNode.Core.Services;

/// <summary>
/// Version <see cref="Version"/> of the record under lookup key <see cref="Key"/> is committed, as
/// change-log entry <see cref="Sequence"/> (0 when the store did not say: the bulk path).
/// </summary>
public readonly record struct RecordCommit(string Key, long Version, long Sequence = 0);
