using IdNode.Core.Ports;
using Npgsql;
using NpgsqlTypes;

namespace IdNode.Storage.Postgres;

public sealed partial class PostgresRecordStore
{
    // Parameters of both per-item statements: $1 key, $2 handle, $3 prefix, $4 expected version,
    // $5 data (NULL = tombstone), $6 at, $7 kind, $8 actor. Each returns one row
    // (committed, version, was_live): on a conflict the stored version (0 when no row).
    //
    // The current version of a record lives only in its handles row (with its kind and actor);
    // record_history holds the versions it superseded. So a create writes no history row, and an
    // update or delete moves the version it replaces into record_history in the same statement —
    // the old version is kept in the very transaction that overwrites it. Rows written before
    // schema version 4 have kind NULL: their current version is in record_history already.

    /// <summary>
    /// Compare-and-set on an existing row. The FOR UPDATE in <c>cur</c> re-checks the version on the
    /// newest row after waiting for a concurrent writer, so of two writers expecting the same
    /// version exactly one wins; <c>cur</c> then holds that newest row, which <c>hist</c> keeps.
    /// </summary>
    private const string UpdateSql = """
        WITH cur AS (
            SELECT key, version, handle, kind, data, updated_at, actor, data IS NOT NULL AS was_live
            FROM handles WHERE key = $1 AND version = $4 FOR UPDATE
        ), upd AS (
            UPDATE handles h SET handle = $2, version = $4 + 1, data = $5, updated_at = $6, kind = $7, actor = $8
            FROM cur WHERE h.key = cur.key
            RETURNING h.version, cur.was_live
        ), hist AS (
            INSERT INTO record_history(key, version, handle, kind, data, at, actor)
            SELECT cur.key, cur.version, cur.handle, cur.kind, cur.data, cur.updated_at, cur.actor
            FROM cur, upd WHERE cur.kind IS NOT NULL
        )
        SELECT true, version, was_live FROM upd
        UNION ALL
        SELECT false, version, false FROM handles WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM upd)
        """;

    /// <summary>Expected version 0: only when there is no row at all (a tombstone is a row). No history row: nothing is superseded.</summary>
    private const string InsertSql = """
        WITH ins AS (
            INSERT INTO handles(key, handle, prefix, version, data, updated_at, kind, actor) VALUES ($1, $2, $3, 1, $5, $6, $7, $8)
            ON CONFLICT (key) DO NOTHING
            RETURNING version
        )
        SELECT true, version, false FROM ins
        UNION ALL
        SELECT false, version, false FROM handles WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM ins)
        """;

    // The set-based forms of the two statements above, for a batch whose keys are all distinct:
    // one statement for every create and one for every update, whatever the batch size, instead of
    // one per item. Parameters: the items' columns as arrays ($1 keys, $2 handles, $3 prefixes or
    // expected versions, $4 data, $5 kinds, $6 actors), $7 the time, and $8 the item indexes
    // (returned, so results map back to the batch). Each returns (index, committed, version, was_live)
    // for every item whose key has a row; an item without a row is a conflict at version 0.

    /// <summary>Expected version 0, set-based. Rows are inserted in key order (lock order, see <see cref="WriteBatchAsync"/>).</summary>
    private const string InsertManySql = """
        WITH t AS (
            SELECT * FROM unnest($8::int[], $1::text[], $2::text[], $3::text[], $4::bytea[], $5::smallint[], $6::text[]) AS t(i, key, handle, prefix, data, kind, actor)
        ), ins AS (
            INSERT INTO handles(key, handle, prefix, version, data, updated_at, kind, actor)
            SELECT key, handle, prefix, 1, data, $7, kind, actor FROM t ORDER BY key COLLATE "C"
            ON CONFLICT (key) DO NOTHING
            RETURNING key
        )
        SELECT t.i, true, 1::bigint, false FROM t JOIN ins ON ins.key = t.key
        UNION ALL
        SELECT t.i, false, h.version, false FROM t JOIN handles h ON h.key = t.key WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.key = t.key)
        """;

    /// <summary>
    /// <see cref="InsertManySql"/> for a batch expected to hold only new keys (the usual batch
    /// registration): a plain INSERT, so no speculative insertion (three WAL records per row
    /// instead of two) and no result rows to join back. A key that exists fails the whole statement
    /// with a unique violation; <see cref="WriteBatchAsync"/> then rolls back and applies the
    /// batch again with <see cref="InsertManySql"/>, which decides item by item.
    /// The arrays are unnested in the select list, not in FROM, and not sorted here: a function in
    /// FROM first copies every row into a tuplestore, and ORDER BY copies them again into the sort
    /// (2000 rows of ~1.1 KB: both copies and the memory they fault in were ~3.5 µs of backend CPU
    /// per row, ~20 % of the whole transaction). The select list streams the rows in array order, which is
    /// already key order in the "C" collation (<see cref="CompareKeys"/>), so rows are still inserted
    /// — and their keys locked — in the same order as every other statement here. It returns no
    /// rows, so it takes no item indexes ($1..$7 only).
    /// </summary>
    private const string InsertNewSql = """
        INSERT INTO handles(key, handle, prefix, version, data, updated_at, kind, actor)
        SELECT unnest($1::text[]), unnest($2::text[]), unnest($3::text[]), 1, unnest($4::bytea[]), $7, unnest($5::smallint[]), unnest($6::text[])
        """;

    /// <summary>
    /// Compare-and-set of many existing rows, set-based. <c>cur</c> locks the rows in key order (the
    /// lock is taken after the sort) and, like <see cref="UpdateSql"/>, reads each row's newest
    /// version after waiting for a concurrent writer; only rows still at the expected version change,
    /// and only their superseded versions go to record_history.
    /// </summary>
    private const string UpdateManySql = """
        WITH t AS (
            SELECT * FROM unnest($8::int[], $1::text[], $2::text[], $3::bigint[], $4::bytea[], $5::smallint[], $6::text[]) AS t(i, key, handle, expected, data, kind, actor)
        ), cur AS (
            SELECT h.key, h.version, h.handle, h.kind, h.data, h.updated_at, h.actor, h.data IS NOT NULL AS was_live
            FROM handles h JOIN t ON h.key = t.key ORDER BY h.key FOR UPDATE OF h
        ), upd AS (
            UPDATE handles h SET handle = t.handle, version = t.expected + 1, data = t.data, updated_at = $7, kind = t.kind, actor = t.actor
            FROM cur JOIN t ON t.key = cur.key
            WHERE h.key = cur.key AND cur.version = t.expected
            RETURNING h.key
        ), hist AS (
            INSERT INTO record_history(key, version, handle, kind, data, at, actor)
            SELECT cur.key, cur.version, cur.handle, cur.kind, cur.data, cur.updated_at, cur.actor
            FROM cur JOIN upd ON upd.key = cur.key WHERE cur.kind IS NOT NULL
        )
        SELECT t.i, upd.key IS NOT NULL, CASE WHEN upd.key IS NULL THEN cur.version ELSE t.expected + 1 END, cur.was_live
        FROM t JOIN cur ON cur.key = t.key LEFT JOIN upd ON upd.key = t.key
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
    /// Returns the last sequence handed out; this batch owns the preceding cardinality($1) numbers,
    /// written as one change_batches row (the arrays as they came, $2 NULL where handle = key).
    /// </summary>
    private const string ChangesSql = """
        WITH c AS (
            UPDATE change_counter SET seq = seq + cardinality($1::text[]) WHERE id = 1 RETURNING seq
        ), ins AS (
            INSERT INTO change_batches(last_seq, first_seq, at, keys, handles, versions, kinds)
            SELECT c.seq, c.seq - cardinality($1::text[]) + 1, $5, $1, $2, $3, $4 FROM c
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
            var c = CompareKeys(writes[a].Key, writes[b].Key);
            return c != 0 ? c : a.CompareTo(b);
        });
        var optimistic = true;
        for (var attempt = 1; ; attempt++)
        {
            var state = new CommitState();
            try
            {
                await using var conn = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    return await ApplyAsync(conn, writes, order, state, optimistic, cancellationToken).ConfigureAwait(false);
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
            catch (PostgresException e) when (optimistic && !state.Committing && e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // A key of the batch exists after all (rolled back above): decide item by item.
                optimistic = false;
                attempt--;
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

    private async Task<IReadOnlyList<WriteResult>> ApplyAsync(NpgsqlConnection conn, IReadOnlyList<RecordWrite> writes, int[] order, CommitState state, bool optimistic, CancellationToken ct)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var results = new WriteResult[writes.Count];
        var wasLive = new bool[writes.Count];
        await using (var batch = new NpgsqlBatch(conn))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
            if (writes.Count > 1 && KeysAreDistinct(writes, order))
            {
                var inserted = AddSetBased(batch, writes, order, now, optimistic);
                await using var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
                Array.Fill(results, new WriteResult(WriteOutcome.Conflict, 0, 0));
                // The plain insert returns no rows: had any key existed, it would have thrown.
                foreach (var i in inserted)
                    results[i] = new WriteResult(WriteOutcome.Committed, 1, 0);
                do
                {
                    while (await r.ReadAsync(ct).ConfigureAwait(false))
                    {
                        var i = r.GetInt32(0);
                        results[i] = new WriteResult(r.GetBoolean(1) ? WriteOutcome.Committed : WriteOutcome.Conflict, r.GetInt64(2), 0);
                        wasLive[i] = r.GetBoolean(3);
                    }
                }
                while (await r.NextResultAsync(ct).ConfigureAwait(false));
            }
            else
            {
                AddPerItem(batch, writes, order, now);
                await using var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
                foreach (var i in order)
                {
                    if (await r.ReadAsync(ct).ConfigureAwait(false) && r.GetBoolean(0))
                    {
                        results[i] = new WriteResult(WriteOutcome.Committed, r.GetInt64(1), 0);
                        wasLive[i] = r.GetBoolean(2);
                    }
                    else
                    {
                        results[i] = new WriteResult(WriteOutcome.Conflict, r.IsOnRow ? r.GetInt64(1) : 0, 0);
                    }
                    await r.NextResultAsync(ct).ConfigureAwait(false);
                }
            }
        }

        // Change-log sequences follow the apply order (key order), whichever form applied the batch.
        var committed = new List<int>(writes.Count);
        var deltas = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var i in order)
        {
            if (!results[i].Committed)
                continue;
            committed.Add(i);
            var w = writes[i];
            var isLive = w.Data is not null;
            if (isLive != wasLive[i])
                deltas[w.Prefix] = deltas.GetValueOrDefault(w.Prefix) + (isLive ? 1 : -1);
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
            var keys = new string[committed.Count];
            var handles = new string?[committed.Count];
            var versions = new long[committed.Count];
            var kinds = new short[committed.Count];
            for (var j = 0; j < committed.Count; j++)
            {
                var i = committed[j];
                keys[j] = writes[i].Key;
                handles[j] = string.Equals(writes[i].Handle, writes[i].Key, StringComparison.Ordinal) ? null : writes[i].Handle;
                versions[j] = results[i].Version;
                kinds[j] = (short)writes[i].Kind;
            }
            var changes = new NpgsqlBatchCommand(ChangesSql);
            changes.Parameters.Add(TextArray(keys));
            changes.Parameters.Add(TextArray(handles));
            changes.Parameters.Add(new NpgsqlParameter<long[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = versions });
            changes.Parameters.Add(new NpgsqlParameter<short[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Smallint, TypedValue = kinds });
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
    /// The order of COLLATE "C" (UTF-8 bytes, i.e. code points), which <see cref="InsertNewSql"/>
    /// inserts in without sorting and the other statements sort by. Ordinal UTF-16 order differs
    /// from it only where a surrogate (a code point above U+FFFF) meets U+E000..U+FFFF: UTF-16 puts
    /// the surrogate first. Two batches inserting the same new keys in different orders could deadlock.
    /// </summary>
    private static int CompareKeys(string a, string b)
    {
        var i = a.AsSpan().CommonPrefixLength(b);
        if (i == a.Length || i == b.Length)
            return a.Length - b.Length;
        int x = a[i], y = b[i];
        if (x >= 0xD800 && y >= 0xD800)
        {
            // Surrogates up above U+FFFF, U+E000..U+FFFF down into the gap they leave.
            x += x >= 0xE000 ? -0x800 : 0x2000;
            y += y >= 0xE000 ? -0x800 : 0x2000;
        }
        return x - y;
    }

    private static bool KeysAreDistinct(IReadOnlyList<RecordWrite> writes, int[] order)
    {
        for (var j = 1; j < order.Length; j++)
            if (string.Equals(writes[order[j - 1]].Key, writes[order[j]].Key, StringComparison.Ordinal))
                return false;
        return true;
    }

    /// <summary>One statement per item, in key order: needed when a key repeats (each write must see the one before it).</summary>
    private static void AddPerItem(NpgsqlBatch batch, IReadOnlyList<RecordWrite> writes, int[] order, long now)
    {
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
    }

    /// <summary>
    /// All creates in one statement, then all updates in another (<see cref="InsertManySql"/>,
    /// <see cref="UpdateManySql"/>). Each statement takes its locks in key order. Running the
    /// creates first cannot deadlock with another batch either: a create only ever waits for a
    /// transaction that touches the same key (its insert, or its update of a row that exists), an
    /// update waits only for a row lock, and rows a transaction inserted are invisible to others'
    /// updates until it commits — so a batch still in its creates holds nothing an update waits for.
    /// </summary>
    /// <returns>The creates written with <see cref="InsertNewSql"/> (<paramref name="optimistic"/>), which report no rows; otherwise none.</returns>
    private static List<int> AddSetBased(NpgsqlBatch batch, IReadOnlyList<RecordWrite> writes, int[] order, long now, bool optimistic)
    {
        var creates = new List<int>(order.Length);
        var updates = new List<int>();
        foreach (var i in order)
            (writes[i].ExpectedVersion == 0 ? creates : updates).Add(i);
        if (creates.Count > 0)
            batch.BatchCommands.Add(optimistic
                ? SetBasedCommand(InsertNewSql, creates, writes, now, expected: false, indexes: false)
                : SetBasedCommand(InsertManySql, creates, writes, now, expected: false, indexes: true));
        if (updates.Count > 0)
            batch.BatchCommands.Add(SetBasedCommand(UpdateManySql, updates, writes, now, expected: true, indexes: true));
        return optimistic ? creates : [];
    }

    /// <summary>
    /// Parameters of <see cref="InsertManySql"/> and <see cref="InsertNewSql"/> ($3 the prefixes) or
    /// <see cref="UpdateManySql"/> ($3 the expected versions), plus $8 the item indexes for the
    /// statements that return rows (<paramref name="indexes"/>): every column array filled in one
    /// pass and bound with its element type, so Npgsql neither boxes nor inspects an object[] to
    /// find the type.
    /// </summary>
    private static NpgsqlBatchCommand SetBasedCommand(string sql, List<int> items, IReadOnlyList<RecordWrite> writes, long now, bool expected, bool indexes)
    {
        var n = items.Count;
        var index = indexes ? new int[n] : null;
        var keys = new string[n];
        var handles = new string[n];
        var prefixes = expected ? null : new string[n];
        var versions = expected ? new long[n] : null;
        var data = new byte[]?[n];
        var kinds = new short[n];
        var actors = new string?[n];
        for (var j = 0; j < n; j++)
        {
            var i = items[j];
            var w = writes[i];
            if (index is not null)
                index[j] = i;
            keys[j] = w.Key;
            handles[j] = w.Handle;
            if (expected)
                versions![j] = w.ExpectedVersion;
            else
                prefixes![j] = w.Prefix;
            data[j] = w.Data;
            kinds[j] = (short)w.Kind;
            actors[j] = w.Actor;
        }
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.Add(TextArray(keys));
        cmd.Parameters.Add(TextArray(handles));
        cmd.Parameters.Add(expected
            ? (NpgsqlParameter)new NpgsqlParameter<long[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = versions }
            : TextArray(prefixes!));
        cmd.Parameters.Add(new NpgsqlParameter<byte[]?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, TypedValue = data });
        cmd.Parameters.Add(new NpgsqlParameter<short[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Smallint, TypedValue = kinds });
        cmd.Parameters.Add(TextArray(actors));
        cmd.Parameters.Add(Int64(now));
        if (index is not null)
            cmd.Parameters.Add(new NpgsqlParameter<int[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, TypedValue = index });
        return cmd;
    }

    private static NpgsqlParameter<string?[]> TextArray(string?[] values)
        => new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = values };

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
