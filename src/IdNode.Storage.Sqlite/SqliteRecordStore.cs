using System.Collections.Concurrent;
using IdNode.Core.Ports;
using Microsoft.Data.Sqlite;

namespace IdNode.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. One writer connection (SQLite allows one
/// writer at a time anyway, so a lock here is cheaper than busy retries) and a pool of readers
/// with prepared statements. Each write is one transaction: record row, history row, change-log row.
/// </summary>
public sealed partial class SqliteRecordStore : IRecordStore, IRegistryStore, IDisposable
{
    private readonly string _connectionString;
    private readonly SqliteStoreOptions _options;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentBag<Reader> _readers = new();
    private readonly TimeProvider _time;
    private bool _disposed;

    public SqliteRecordStore(SqliteStoreOptions options, TimeProvider? time = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        var full = System.IO.Path.GetFullPath(options.Path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
        _writer = Open();
        Migrate(_writer);
    }

    private SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        Exec(c, $"PRAGMA journal_mode=WAL; PRAGMA synchronous={(_options.SyncEveryCommit ? "FULL" : "NORMAL")}; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=OFF;");
        return c;
    }

    private static void Exec(SqliteConnection c, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }

    private static void Migrate(SqliteConnection c)
    {
        using var tx = c.BeginTransaction(deferred: false);
        Exec(c, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);", tx);
        using var get = c.CreateCommand();
        get.Transaction = tx;
        get.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
        var current = Convert.ToInt32(get.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        for (var v = current; v < Migrations.Length; v++)
        {
            Exec(c, Migrations[v], tx);
            Exec(c, $"INSERT INTO schema_version(version) VALUES ({v + 1});", tx);
        }
        tx.Commit();
    }

    // Forward-only; each entry moves the schema one version up.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE handles (
            key        TEXT PRIMARY KEY,
            handle     TEXT NOT NULL,
            prefix     TEXT NOT NULL,
            version    INTEGER NOT NULL,
            data       BLOB,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX handles_by_prefix ON handles(prefix, key) WHERE data IS NOT NULL;
        CREATE TABLE record_history (
            key     TEXT NOT NULL,
            version INTEGER NOT NULL,
            handle  TEXT NOT NULL,
            kind    INTEGER NOT NULL,
            data    BLOB,
            at      INTEGER NOT NULL,
            actor   TEXT,
            PRIMARY KEY (key, version)
        ) WITHOUT ROWID;
        CREATE TABLE change_log (
            seq     INTEGER PRIMARY KEY AUTOINCREMENT,
            key     TEXT NOT NULL,
            handle  TEXT NOT NULL,
            version INTEGER NOT NULL,
            kind    INTEGER NOT NULL,
            at      INTEGER NOT NULL
        );
        CREATE TABLE prefix_counts (
            prefix TEXT PRIMARY KEY,
            count  INTEGER NOT NULL
        ) WITHOUT ROWID;
        """,
        RegistrySchema,
    ];

    public ValueTask<StoredRecord?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        // SQLite calls are synchronous underneath; a primary-key read from the page cache takes
        // microseconds, less than the cost of hopping threads.
        var reader = RentReader();
        try
        {
            reader.Get.Parameters[0].Value = key;
            using var r = reader.Get.ExecuteReader();
            if (!r.Read())
                return ValueTask.FromResult<StoredRecord?>(null);
            var data = r.IsDBNull(2) ? null : (byte[])r.GetValue(2);
            return ValueTask.FromResult<StoredRecord?>(new StoredRecord(key, r.GetString(0), r.GetInt64(1), data, r.GetInt64(3)));
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    /// <summary>One reader connection and its prepared statement for all keys: no pool traffic per key.</summary>
    public Task<IReadOnlyList<StoredRecord?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        var records = new StoredRecord?[keys.Count];
        var reader = RentReader();
        try
        {
            for (var i = 0; i < keys.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                reader.Get.Parameters[0].Value = keys[i];
                using var r = reader.Get.ExecuteReader();
                if (r.Read())
                    records[i] = new StoredRecord(keys[i], r.GetString(0), r.GetInt64(1), r.IsDBNull(2) ? null : (byte[])r.GetValue(2), r.GetInt64(3));
            }
        }
        finally
        {
            ReturnReader(reader);
        }
        return Task.FromResult<IReadOnlyList<StoredRecord?>>(records);
    }

    public async Task<WriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken = default)
    {
        var results = await WriteBatchAsync([write], cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    public async Task<IReadOnlyList<WriteResult>> WriteBatchAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var results = new WriteResult[writes.Count];
            var now = _time.GetUtcNow().ToUnixTimeSeconds();
            using var tx = _writer.BeginTransaction(deferred: false);
            using var cmds = new WriteCommands(_writer, tx);
            for (var i = 0; i < writes.Count; i++)
                results[i] = cmds.Apply(writes[i], now);
            tx.Commit();
            return results;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default)
        => Task.FromResult(WithReader(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT count FROM prefix_counts WHERE prefix = $p;";
            cmd.Parameters.AddWithValue("$p", prefix);
            return cmd.ExecuteScalar() is long n ? n : 0L;
        }));

    public Task<IReadOnlyList<ListedHandle>> ListAsync(string prefix, string? afterKey, int skip, int limit, CancellationToken cancellationToken = default)
        => Task.FromResult(WithReader<IReadOnlyList<ListedHandle>>(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT key, handle FROM handles WHERE prefix = $p AND data IS NOT NULL AND key > $after ORDER BY key LIMIT $limit OFFSET $skip;";
            cmd.Parameters.AddWithValue("$p", prefix);
            cmd.Parameters.AddWithValue("$after", afterKey ?? "");
            cmd.Parameters.AddWithValue("$limit", limit);
            cmd.Parameters.AddWithValue("$skip", skip);
            using var r = cmd.ExecuteReader();
            var list = new List<ListedHandle>();
            while (r.Read())
                list.Add(new ListedHandle(r.GetString(0), r.GetString(1)));
            return list;
        }));

    public Task<IReadOnlyList<string>> ListPrefixesAsync(CancellationToken cancellationToken = default)
        => Task.FromResult(WithReader<IReadOnlyList<string>>(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT prefix FROM prefix_counts WHERE count > 0 ORDER BY prefix;";
            using var r = cmd.ExecuteReader();
            var list = new List<string>();
            while (r.Read())
                list.Add(r.GetString(0));
            return list;
        }));

    public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string key, CancellationToken cancellationToken = default)
        => Task.FromResult(WithReader<IReadOnlyList<HistoryEntry>>(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT handle, version, kind, data, at, actor FROM record_history WHERE key = $k ORDER BY version;";
            cmd.Parameters.AddWithValue("$k", key);
            using var r = cmd.ExecuteReader();
            var list = new List<HistoryEntry>();
            while (r.Read())
                list.Add(new HistoryEntry(r.GetString(0), r.GetInt64(1), (ChangeKind)r.GetInt32(2),
                    r.IsDBNull(3) ? null : (byte[])r.GetValue(3), r.GetInt64(4), r.IsDBNull(5) ? null : r.GetString(5)));
            return list;
        }));

    public Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int limit, CancellationToken cancellationToken = default)
        => Task.FromResult(WithReader<IReadOnlyList<ChangeEntry>>(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT seq, key, handle, version, kind, at FROM change_log WHERE seq > $s ORDER BY seq LIMIT $l;";
            cmd.Parameters.AddWithValue("$s", afterSequence);
            cmd.Parameters.AddWithValue("$l", limit);
            using var r = cmd.ExecuteReader();
            var list = new List<ChangeEntry>();
            while (r.Read())
                list.Add(new ChangeEntry(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), (ChangeKind)r.GetInt32(4), r.GetInt64(5)));
            return list;
        }));

    private T WithReader<T>(Func<SqliteConnection, T> action)
    {
        var reader = RentReader();
        try
        {
            return action(reader.Connection);
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    private Reader RentReader()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _readers.TryTake(out var r) ? r : new Reader(Open());
    }

    private void ReturnReader(Reader reader)
    {
        if (_disposed || _readers.Count >= _options.ReaderPoolSize)
            reader.Dispose();
        else
            _readers.Add(reader);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _writeLock.Wait();
        while (_readers.TryTake(out var r))
            r.Dispose();
        _writer.Dispose();
        _writeLock.Release();
    }

    private sealed class Reader : IDisposable
    {
        public SqliteConnection Connection { get; }
        public SqliteCommand Get { get; }

        public Reader(SqliteConnection connection)
        {
            Connection = connection;
            Get = connection.CreateCommand();
            Get.CommandText = "SELECT handle, version, data, updated_at FROM handles WHERE key = $k;";
            Get.Parameters.Add("$k", SqliteType.Text);
            Get.Prepare();
        }

        public void Dispose()
        {
            Get.Dispose();
            Connection.Dispose();
        }
    }
}
