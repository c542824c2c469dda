using IdNode.Core.Ports;
using Npgsql;
using NpgsqlTypes;

namespace IdNode.Storage.Postgres;

/// <summary>
/// The production store: PostgreSQL through one <see cref="NpgsqlDataSource"/> (one pool) shared by
/// every caller. Same semantics as the embedded SQLite store: compare-and-set on the version,
/// tombstones keep their version, every version kept (superseded ones in append-only history, the
/// current one in its record row), a change log whose sequence order is commit order, prefix
/// counters kept in the same transaction. Statements are prepared per physical
/// connection by Npgsql's auto-prepare, so the hot primary-key read is one Bind/Execute round trip.
/// When PostgreSQL cannot be reached every call fails with <see cref="StoreUnavailableException"/>;
/// the pool reconnects by itself once the server is back.
/// </summary>
public sealed partial class PostgresRecordStore : IRecordStore, IRegistryStore, IDisposable, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    // The resolve-miss read (GetAsync) goes through its own multiplexing pool: many concurrent
    // single-row selects share a few connections and their network writes, instead of each
    // holding a connection (and a busy PostgreSQL backend) for its whole round trip. Writes,
    // transactions and COPY keep the ordinary pool, which multiplexing does not serve.
    private readonly NpgsqlDataSource _readSource;
    private readonly TimeProvider _time;

    public PostgresRecordStore(PostgresStoreOptions options, TimeProvider? time = null)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            throw new ArgumentException("ConnectionStrings:Postgres is required for the postgres store", nameof(options));
        _time = time ?? TimeProvider.System;
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        var csb = builder.ConnectionStringBuilder;
        if (csb.MaxAutoPrepare == 0)
            csb.MaxAutoPrepare = options.MaxAutoPrepare;
        csb.AutoPrepareMinUsages = Math.Min(csb.AutoPrepareMinUsages, 2);
        // The store never changes session state, so the per-return reset is wasted work.
        csb.NoResetOnClose = true;
        // Migrations run synchronously and writes hold transactions: neither works multiplexed.
        var multiplexReads = options.MultiplexReads || csb.Multiplexing;
        csb.Multiplexing = false;
        var readConnectionString = csb.ConnectionString;
        // A batch of 2000 records is a ~2 MB Bind message. Through the default 8 KB buffer Npgsql
        // flushed it in ~250 socket writes, each with its own cancellation registration and async
        // step: the largest single share of the node's CPU per identifier in the batch profile.
        // Only the write pool gets the large buffer (one per open connection); the read pool's
        // single-row selects stay small.
        if (csb.WriteBufferSize == DefaultWriteBufferSize)
            csb.WriteBufferSize = options.WriteBufferBytes;
        _dataSource = builder.Build();
        var readBuilder = new NpgsqlDataSourceBuilder(readConnectionString);
        readBuilder.ConnectionStringBuilder.Multiplexing = multiplexReads;
        _readSource = readBuilder.Build();
        try
        {
            Migrate();
        }
        catch
        {
            _readSource.Dispose();
            _dataSource.Dispose();
            throw;
        }
    }

    // Npgsql's own default, read from Npgsql: a connection string asking for another size keeps it.
    private static readonly int DefaultWriteBufferSize = new NpgsqlConnectionStringBuilder().WriteBufferSize;

    public async ValueTask<StoredRecord?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // A data-source command: with multiplexing it borrows a connection only while its
                // statement is on the wire, and there is no NpgsqlConnection to open and close.
                await using var cmd = _readSource.CreateCommand("SELECT handle, version, data, updated_at FROM handles WHERE key = $1");
                cmd.Parameters.Add(Text(key));
                await using var r = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
                if (!await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                    return null;
                return new StoredRecord(key, r.GetString(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetFieldValue<byte[]>(2), r.GetInt64(3));
            }
            catch (Exception e) when (IsUnavailable(e))
            {
                // After a server restart the multiplexed pool can hold several dead connections
                // (idle and busy alike); a read is safe to repeat, so it gets past more than one.
                if (!ShouldRetry(e, attempt, committing: false, retries: 3))
                    throw Unavailable(e, committing: false);
            }
            catch (PostgresException)
            {
                DiscardConnections();
                throw;
            }
        }
    }

    /// <summary>One query for all keys, however many: a batch's reads cost one round trip.</summary>
    public Task<IReadOnlyList<StoredRecord?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        if (keys.Count == 0)
            return Task.FromResult<IReadOnlyList<StoredRecord?>>([]);
        return ReadAsync<IReadOnlyList<StoredRecord?>>(async (conn, ct) =>
        {
            var distinct = new Dictionary<string, int>(keys.Count, StringComparer.Ordinal);
            foreach (var key in keys)
                distinct.TryAdd(key, distinct.Count);
            var found = new StoredRecord?[distinct.Count];
            await using var cmd = new NpgsqlCommand("SELECT key, handle, version, data, updated_at FROM handles WHERE key = ANY($1)", conn);
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = [.. distinct.Keys] });
            await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    var key = r.GetString(0);
                    found[distinct[key]] = new StoredRecord(key, r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetFieldValue<byte[]>(3), r.GetInt64(4));
                }
            }
            var records = new StoredRecord?[keys.Count];
            for (var i = 0; i < keys.Count; i++)
                records[i] = found[distinct[keys[i]]];
            return records;
        }, cancellationToken);
    }

    public async Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default)
        => await ReadAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand("SELECT count FROM prefix_counts WHERE prefix = $1", conn);
            cmd.Parameters.Add(Text(prefix));
            return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is long n ? n : 0L;
        }, cancellationToken).ConfigureAwait(false);

    public Task<IReadOnlyList<ListedHandle>> ListAsync(string prefix, string? afterKey, int skip, int limit, CancellationToken cancellationToken = default)
        => ReadAsync<IReadOnlyList<ListedHandle>>(async (conn, ct) =>
        {
            // A range scan of the primary key: prefixes contain no '/', and '0' is the byte after
            // '/', so [prefix + "/", prefix + "0") holds exactly the keys of this prefix in "C"
            // order ("88.1" does not reach "88.10/x" or "88.1-/x"). The prefix column check keeps
            // the answer exact whatever the caller passes.
            await using var cmd = new NpgsqlCommand(
                "SELECT key, handle FROM handles WHERE key >= $2 AND key < $3 AND key > $4 AND prefix = $1 AND data IS NOT NULL ORDER BY key LIMIT $5 OFFSET $6", conn);
            cmd.Parameters.Add(Text(prefix));
            cmd.Parameters.Add(Text(prefix + "/"));
            cmd.Parameters.Add(Text(prefix + "0"));
            cmd.Parameters.Add(Text(afterKey ?? ""));
            cmd.Parameters.Add(Int64(limit));
            cmd.Parameters.Add(Int64(skip));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<ListedHandle>();
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                list.Add(new ListedHandle(r.GetString(0), r.GetString(1)));
            return list;
        }, cancellationToken);

    public Task<IReadOnlyList<string>> ListPrefixesAsync(CancellationToken cancellationToken = default)
        => ReadAsync<IReadOnlyList<string>>(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand("SELECT prefix FROM prefix_counts WHERE count > 0 ORDER BY prefix", conn);
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<string>();
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                list.Add(r.GetString(0));
            return list;
        }, cancellationToken);

    /// <summary>
    /// The superseded versions from record_history plus the current one from handles, in one
    /// statement (one snapshot). A row written before schema version 4 (kind NULL) has its current
    /// version in record_history already; the NOT EXISTS keeps a version from ever appearing twice.
    /// </summary>
    private const string HistorySql = """
        SELECT handle, version, kind, data, at, actor FROM record_history WHERE key = $1
        UNION ALL
        SELECT handle, version, kind, data, updated_at, actor FROM handles h
        WHERE key = $1 AND kind IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM record_history r WHERE r.key = $1 AND r.version = h.version)
        ORDER BY version
        """;

    public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string key, CancellationToken cancellationToken = default)
        => ReadAsync<IReadOnlyList<HistoryEntry>>(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand(HistorySql, conn);
            cmd.Parameters.Add(Text(key));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<HistoryEntry>();
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                list.Add(new HistoryEntry(r.GetString(0), r.GetInt64(1), (ChangeKind)r.GetInt16(2),
                    r.IsDBNull(3) ? null : r.GetFieldValue<byte[]>(3), r.GetInt64(4), r.IsDBNull(5) ? null : r.GetString(5)));
            return list;
        }, cancellationToken);

    /// <summary>
    /// One page of the change log: rows of the per-item table written before schema version 5
    /// (<c>old</c>), then entries of the per-batch rows. Every index range here is bounded: the
    /// batch holding the first entry after $1 (<c>span</c>), and the batches starting inside the
    /// page — at most $2 sequences from its first entry, on the first_seq index — so a reader far
    /// behind reads one page's worth of batches, not the rest of the log.
    /// </summary>
    private const string ChangesPageSql = """
        WITH old AS (
            SELECT seq, key, handle, version, kind, at FROM change_log WHERE seq > $1 ORDER BY seq LIMIT $2
        ), span AS (
            SELECT last_seq, GREATEST(first_seq, $1 + 1) AS lo, GREATEST(first_seq, $1 + 1) + $2 - 1 AS hi
            FROM change_batches WHERE last_seq > $1 ORDER BY last_seq LIMIT 1
        ), b AS (
            SELECT c.first_seq, c.at, c.keys, c.handles, c.versions, c.kinds FROM change_batches c JOIN span ON c.last_seq = span.last_seq
            UNION ALL
            SELECT c.first_seq, c.at, c.keys, c.handles, c.versions, c.kinds FROM change_batches c, span
            WHERE c.first_seq > span.last_seq AND c.first_seq <= span.hi
        )
        SELECT seq, key, handle, version, kind, at FROM old
        UNION ALL
        SELECT b.first_seq + t.ord - 1, t.key, COALESCE(t.handle, t.key), t.version, t.kind, b.at
        FROM b, span, unnest(b.keys, b.handles, b.versions, b.kinds) WITH ORDINALITY AS t(key, handle, version, kind, ord)
        WHERE b.first_seq + t.ord - 1 BETWEEN span.lo AND span.hi
        ORDER BY 1
        LIMIT $2
        """;

    /// <summary>
    /// Safe for followers that remember the last sequence they saw: sequences are handed out under
    /// a row lock held until commit (see <see cref="ChangesSql"/>), so a higher sequence is never
    /// visible before a lower one.
    /// </summary>
    public Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int limit, CancellationToken cancellationToken = default)
        => ReadAsync<IReadOnlyList<ChangeEntry>>(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand(ChangesPageSql, conn);
            cmd.Parameters.Add(Int64(afterSequence));
            cmd.Parameters.Add(Int64(limit));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<ChangeEntry>();
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                list.Add(new ChangeEntry(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), (ChangeKind)r.GetInt16(4), r.GetInt64(5)));
            return list;
        }, cancellationToken);

    /// <summary>The schema version this database is at (the highest migration applied).</summary>
    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default)
        => ReadAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version", conn);
            return (int)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);

    private async Task<T> ReadAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var conn = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                return await read(conn, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsUnavailable(e))
            {
                if (!ShouldRetry(e, attempt, committing: false))
                    throw Unavailable(e, committing: false);
            }
            catch (PostgresException)
            {
                DiscardConnections();
                throw;
            }
        }
    }

    private static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };
    private static NpgsqlParameter Int64(long value) => new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = value };
    private static NpgsqlParameter Int16(short value) => new NpgsqlParameter<short> { NpgsqlDbType = NpgsqlDbType.Smallint, TypedValue = value };
    private static NpgsqlParameter Bytes(byte[]? value) => new() { NpgsqlDbType = NpgsqlDbType.Bytea, Value = (object?)value ?? DBNull.Value };

    public void Dispose()
    {
        _readSource.Dispose();
        _dataSource.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _readSource.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}
