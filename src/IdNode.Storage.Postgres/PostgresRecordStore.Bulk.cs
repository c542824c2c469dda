using IdNode.Core.Ports;
using Npgsql;
using NpgsqlTypes;

namespace IdNode.Storage.Postgres;

public sealed partial class PostgresRecordStore
{
    // The sorts by key over a large load would spill to disk at the default 4 MB; LOCAL keeps
    // the larger budget to this one transaction.
    private const string BulkTablesSql = """
        SET LOCAL work_mem = '128MB';
        CREATE TEMP TABLE bulk_in (ord integer, key text COLLATE "C", handle text, prefix text COLLATE "C", data bytea, actor text) ON COMMIT DROP;
        CREATE TEMP TABLE bulk_new (key text COLLATE "C", handle text, prefix text COLLATE "C") ON COMMIT DROP;
        """;

    // Rows are inserted in key order, like WriteBatchAsync, so a bulk load and concurrent writes
    // take their locks in the same order. The first occurrence of a key repeated in the input wins.
    // Imports are creates: the new version lives in handles alone, no history row (see UpdateSql).
    private const string BulkHandlesSql = """
        WITH src AS (
            SELECT DISTINCT ON (key) key, handle, prefix, data, actor FROM bulk_in ORDER BY key, ord
        ), ins AS (
            INSERT INTO handles(key, handle, prefix, version, data, updated_at, kind, actor)
            SELECT key, handle, prefix, 1, data, $1, 1, actor FROM src ORDER BY key
            ON CONFLICT (key) DO NOTHING
            RETURNING key, handle, prefix
        )
        INSERT INTO bulk_new SELECT key, handle, prefix FROM ins
        """;

    private const string BulkCountsSql = """
        INSERT INTO prefix_counts AS p (prefix, count)
        SELECT prefix, count(*) FROM bulk_new GROUP BY prefix ORDER BY prefix
        ON CONFLICT (prefix) DO UPDATE SET count = p.count + excluded.count
        """;

    private const string BulkChangesSql = """
        WITH n AS (
            SELECT count(*) AS n FROM bulk_new
        ), c AS (
            UPDATE change_counter SET seq = seq + (SELECT n FROM n) WHERE id = 1 RETURNING seq
        )
        INSERT INTO change_batches(last_seq, first_seq, at, keys, handles, versions, kinds)
        SELECT c.seq, c.seq - n.n + 1, $1,
               array_agg(b.key ORDER BY b.key), array_agg(NULLIF(b.handle, b.key) ORDER BY b.key),
               array_fill(1::bigint, ARRAY[n.n::int]), array_fill(1::smallint, ARRAY[n.n::int])
        FROM c, n, bulk_new b
        GROUP BY c.seq, n.n
        """;

    private const string BulkExistingSql = """
        SELECT DISTINCT key FROM bulk_in b WHERE NOT EXISTS (SELECT 1 FROM bulk_new n WHERE n.key = b.key) ORDER BY key
        """;

    /// <summary>
    /// Creates many new identifiers in one transaction: the rows stream into a temporary table
    /// with binary COPY, then a few set-based statements (one round trip) insert the records, the
    /// prefix counters and the change log. Keys that already exist (also deleted ones)
    /// are left alone and reported; every write must expect version 0 and carry data.
    /// </summary>
    public async Task<BulkInsertResult> BulkInsertAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < writes.Count; i++)
        {
            if (writes[i].ExpectedVersion != 0 || writes[i].Data is null)
                throw new ArgumentException($"Bulk insert creates new identifiers only: item {i} ({writes[i].Key}) must expect version 0 and carry data", nameof(writes));
        }
        if (writes.Count == 0)
            return new BulkInsertResult(0, []);

        return await InTransactionAsync(async (conn, ct) =>
        {
            var now = _time.GetUtcNow().ToUnixTimeSeconds();
            await using (var create = new NpgsqlCommand(BulkTablesSql, conn))
                await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);

            await using (var copy = await conn.BeginBinaryImportAsync("COPY bulk_in (ord, key, handle, prefix, data, actor) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false))
            {
                for (var i = 0; i < writes.Count; i++)
                {
                    var w = writes[i];
                    await copy.StartRowAsync(ct).ConfigureAwait(false);
                    await copy.WriteAsync(i, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                    await copy.WriteAsync(w.Key, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(w.Handle, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(w.Prefix, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(w.Data!, NpgsqlDbType.Bytea, ct).ConfigureAwait(false);
                    if (w.Actor is null)
                        await copy.WriteNullAsync(ct).ConfigureAwait(false);
                    else
                        await copy.WriteAsync(w.Actor, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                }
                await copy.CompleteAsync(ct).ConfigureAwait(false);
            }

            await using var batch = new NpgsqlBatch(conn);
            foreach (var sql in new[] { BulkHandlesSql, BulkCountsSql, BulkChangesSql })
            {
                var cmd = new NpgsqlBatchCommand(sql);
                if (sql != BulkCountsSql)
                    cmd.Parameters.Add(Int64(now));
                batch.BatchCommands.Add(cmd);
            }
            batch.BatchCommands.Add(new NpgsqlBatchCommand(BulkExistingSql));
            await using var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            // Only the last statement returns rows.
            var existing = new List<string>();
            do
            {
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                    existing.Add(r.GetString(0));
            }
            while (await r.NextResultAsync(ct).ConfigureAwait(false));
            var inserted = batch.BatchCommands[0].RecordsAffected;
            return new BulkInsertResult(checked((int)inserted), existing);
        }, cancellationToken).ConfigureAwait(false);
    }
}
