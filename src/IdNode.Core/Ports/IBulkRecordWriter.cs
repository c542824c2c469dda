namespace IdNode.Core.Ports;

/// <summary>
/// An optional faster write path for large imports (e.g. PostgreSQL binary COPY into a staging
/// table, then one set-based apply). Same contract as <see cref="IRecordStore.WriteBatchAsync"/>:
/// each item commits or conflicts on its own expected version, results come back in item order,
/// and every committed item gets its history and change-log rows. When no implementation is
/// registered, imports use <see cref="IRecordStore.WriteBatchAsync"/>.
/// </summary>
public interface IBulkRecordWriter
{
    Task<IReadOnlyList<WriteResult>> WriteBulkAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken = default);
}
