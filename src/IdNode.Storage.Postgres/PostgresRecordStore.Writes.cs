using IdNode.Core.Ports;
using Npgsql;
using NpgsqlTypes;

namespace IdNode.Storage.Postgres;

public sealed partial class PostgresRecordStore
{
    // Parameters of both per-item statements: $1 key, $2 handle, $3 prefix, $4 expected version,
    // $5 data (NULL = tombstone), $6 at, $7 kind, $8 actor. Each returns one row
    // (committed, version, was_live): on a conflict the stored version (0 when no row).

    /// <summary>
    /// Compare-and-set on an existing row. The FOR UPDATE in <c>cur</c> re-checks the version on the
    /// newest row after waiting for a concurrent writer, so of two writers expecting the same
    /// version exactly one wins.
    /// </summary>
    private const string UpdateSql = """
        WITH cur AS (
            SELECT key, data IS NOT NULL AS was_live FROM handles WHERE key = $1 AND version = $4 FOR UPDATE
        ), upd AS (
            UPDATE handles h SET handle = $2, version = $4 + 1, data = $5, updated_at = $6
            FROM cur WHERE h.key = cur.key
            RETURNING h.version, cur.was_live
        ), hist AS (
            INSERT INTO record_history(key, version, handle, kind, data, at, actor)
            SELECT $1, version, $2, $7, $5, $6, $8 FROM upd
        )
        SELECT true, version, was_live FROM upd
        UNION ALL
        SELECT false, version, false FROM handles WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM upd)
        """;

    /// <summary>Expected version 0: only when there is no row at all (a tombstone is a row).</summary>
    private const string InsertSql = """
        WITH ins AS (
            INSERT INTO handles(key, handle, prefix, version, data, updated_at) VALUES ($1, $2, $3, 1, $5, $6)
            ON CONFLICT (key) DO NOTHING
            RETURNING version
        ), hist AS (
            INSERT INTO record_history(key, version, handle, kind, data, at, actor)
            SELECT $1, version, $2, $7, $5, $6, $8 FROM ins
        )
        SELECT true, version, false FROM ins
        UNION ALL
        SELECT false, version, false FROM handles WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM ins)
        """;

    private const string PrefixCountsSql = """
        INSERT INTO prefix_counts AS p (prefix, count)
        SELECT prefix, delta FROM unnest($1::text[], $2::bigint[]) AS t(prefix, delta)
        ON CONFLICT (prefix) DO UPDATE SET count = p.count + excluded.count
        """;

    /// <summary>
    /// Change-log sequences come from a single counter row, not a PostgreSQL sequence: nextval()
    /// hands out numbers at call time, so a transaction holding 7 can commit after one holding 8,
    /// and a follower that already read 8 would skip 7 for ever. Updating the counter row locks it
    /// until commit, so the next writer gets its numbers only after this one is visible: sequence
    /// order is commit order, and there are no gaps. The price is that commits of concurrent write
    /// transactions are serialised — but only their tail (this statement and the commit), because
    /// it runs last, after the records and counters; batches amortise it. A transaction-level
    /// advisory lock would serialise the same way but needs a separate sequence and leaves gaps.
    /// Returns the last sequence handed out; this batch owns the preceding cardinality($1) numbers.
    /// </summary>
    private const string ChangesSql = """
        WITH c AS (
            UPDATE change_counter SET seq = seq + cardinality($1::text[]) WHERE id = 1 RETURNING seq
        ), ins AS (
            INSERT INTO change_log(seq, key, handle, version, kind, at)
            SELECT c.seq - cardinality($1::text[]) + t.ord, t.key, t.handle, t.version, t.kind, $5
            FROM c, unnest($1::text[], $2::text[], $3::bigint[], $4::smallint[]) WITH ORDINALITY AS t(key, handle, version, kind, ord)
        )
        SELECT seq FROM c
        """;

    public async Task<WriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken = default)
    {
        var results = await WriteBatchAsync([write], cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>
    /// One transaction, two round trips whatever the batch size: BEGIN and every item's
    /// compare-and-set (one statement each, pipelined in one <see cref="NpgsqlBatch"/>), then prefix
    /// counters, change log and COMMIT together — so the serialised tail (see
    /// <see cref="ChangesSql"/>) lasts a single round trip. Items are applied in key order (items
    /// of one key keep their order) so concurrent batches lock rows in the same order and cannot
    /// deadlock; the change-log sequences of one batch follow that order.
    /// </summary>
    public async Task<IReadOnlyList<WriteResult>> WriteBatchAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken = default)
    {
        if (writes.Count == 0)
            return [];
        var order = new int[writes.Count];
        for (var i = 0; i < order.Length; i++)
            order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            var c = string.CompareOrdinal(writes[a].Key, writes[b].Key);
            return c != 0 ? c : a.CompareTo(b);
        });
        for (var attempt = 1; ; attempt++)
        {
            var state = new CommitState();
            try
            {
                await using var conn = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    return await ApplyAsync(conn, writes, order, state, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    await TryRollbackAsync(conn).ConfigureAwait(false);
                    throw;
                }
            }
            catch (Exception e) when (IsUnavailable(e))
            {
                if (!ShouldRetry(e, attempt, state.Committing))
                    throw Unavailable(e, state.Committing);
            }
            catch (PostgresException)
            {
                DiscardConnections();
                throw;
            }
        }
    }

    /// <summary>Set just before the batch that carries COMMIT is sent: from then on a failure may or may not have committed.</summary>
    private sealed class CommitState
    {
        public bool Committing;
    }

    /// <summary>
    /// The transaction is begun and committed with plain SQL inside the batches (that is what saves
    /// the round trips), so a failure must end it by hand before the connection goes back to the pool.
    /// </summary>
    private static async Task TryRollbackAsync(NpgsqlConnection conn)
    {
        if (conn.FullState != System.Data.ConnectionState.Open)
            return;
        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", conn);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A connection that cannot even roll back is broken: the pool discards it.
        }
    }

    private async Task<IReadOnlyList<WriteResult>> ApplyAsync(NpgsqlConnection conn, IReadOnlyList<RecordWrite> writes, int[] order, CommitState state, CancellationToken ct)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var results = new WriteResult[writes.Count];
        var committed = new List<int>(writes.Count);
        var deltas = new Dictionary<string, long>(StringComparer.Ordinal);

        await using (var batch = new NpgsqlBatch(conn))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
            foreach (var i in order)
            {
                var w = writes[i];
                var cmd = new NpgsqlBatchCommand(w.ExpectedVersion == 0 ? InsertSql : UpdateSql);
                cmd.Parameters.Add(Text(w.Key));
                cmd.Parameters.Add(Text(w.Handle));
                cmd.Parameters.Add(Text(w.Prefix));
                cmd.Parameters.Add(Int64(w.ExpectedVersion));
                cmd.Parameters.Add(Bytes(w.Data));
                cmd.Parameters.Add(Int64(now));
                cmd.Parameters.Add(Int16((short)w.Kind));
                cmd.Parameters.Add(Text(w.Actor));
                batch.BatchCommands.Add(cmd);
            }
            await using var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            foreach (var i in order)
            {
                var w = writes[i];
                if (await r.ReadAsync(ct).ConfigureAwait(false) && r.GetBoolean(0))
                {
                    results[i] = new WriteResult(WriteOutcome.Committed, r.GetInt64(1), 0);
                    committed.Add(i);
                    var wasLive = r.GetBoolean(2);
                    var isLive = w.Data is not null;
                    if (isLive != wasLive)
                        deltas[w.Prefix] = deltas.GetValueOrDefault(w.Prefix) + (isLive ? 1 : -1);
                }
                else
                {
                    results[i] = new WriteResult(WriteOutcome.Conflict, r.IsOnRow ? r.GetInt64(1) : 0, 0);
                }
                await r.NextResultAsync(ct).ConfigureAwait(false);
            }
        }
        state.Committing = true;
        if (committed.Count == 0)
        {
            await using var commit = new NpgsqlCommand("COMMIT", conn);
            await commit.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return results;
        }

        await using (var batch = new NpgsqlBatch(conn))
        {
            var changed = deltas.Where(d => d.Value != 0).OrderBy(d => d.Key, StringComparer.Ordinal).ToArray();
            if (changed.Length > 0)
            {
                var counts = new NpgsqlBatchCommand(PrefixCountsSql);
                counts.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = changed.Select(d => d.Key).ToArray() });
                counts.Parameters.Add(new NpgsqlParameter<long[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = changed.Select(d => d.Value).ToArray() });
                batch.BatchCommands.Add(counts);
            }
            var changes = new NpgsqlBatchCommand(ChangesSql);
            changes.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = committed.Select(i => writes[i].Key).ToArray() });
            changes.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = committed.Select(i => writes[i].Handle).ToArray() });
            changes.Parameters.Add(new NpgsqlParameter<long[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = committed.Select(i => results[i].Version).ToArray() });
            changes.Parameters.Add(new NpgsqlParameter<short[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Smallint, TypedValue = committed.Select(i => (short)writes[i].Kind).ToArray() });
            changes.Parameters.Add(Int64(now));
            batch.BatchCommands.Add(changes);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));

            await using var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            // The counters statement returns no rows; only the change-log statement does.
            while (!await r.ReadAsync(ct).ConfigureAwait(false))
            {
                if (!await r.NextResultAsync(ct).ConfigureAwait(false))
                    throw new InvalidOperationException("the change-log statement returned no sequence");
            }
            var last = r.GetInt64(0);
            var first = last - committed.Count + 1;
            for (var j = 0; j < committed.Count; j++)
            {
                var i = committed[j];
                results[i] = results[i] with { Sequence = first + j };
            }
            // An error in COMMIT (or a statement before it) surfaces only while reading on.
            while (await r.NextResultAsync(ct).ConfigureAwait(false))
            {
            }
        }
        return results;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction on a pooled connection and commits. A
    /// connection that turns out dead before the commit is retried once on a fresh one (nothing was
    /// committed, so <paramref name="work"/> can simply run again); a failure during the commit is
    /// reported as possibly applied.
    /// </summary>
    private async Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var committing = false;
            try
            {
                await using var conn = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                var result = await work(conn, cancellationToken).ConfigureAwait(false);
                committing = true;
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch (Exception e) when (IsUnavailable(e))
            {
                if (!ShouldRetry(e, attempt, committing))
                    throw Unavailable(e, committing);
            }
            catch (PostgresException)
            {
                DiscardConnections();
                throw;
            }
        }
    }
}
