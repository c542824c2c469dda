namespace IdNode.Storage.Postgres;

/// <summary>
/// What a bulk insert did: how many identifiers it created, and the keys it skipped because they
/// already existed (live or deleted: a deleted identifier is re-created through a normal write so
/// its version continues).
/// </summary>
public sealed record BulkInsertResult(int Inserted, IReadOnlyList<string> Existing);
