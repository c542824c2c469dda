namespace IdNode.Core.Services;

/// <summary>Version <see cref="Version"/> of the record under lookup key <see cref="Key"/> is committed.</summary>
public readonly record struct RecordCommit(string Key, long Version);
