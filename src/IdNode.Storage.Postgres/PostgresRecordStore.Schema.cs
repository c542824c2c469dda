using Npgsql;

namespace IdNode.Storage.Postgres;

public sealed partial class PostgresRecordStore
{
    // Any 32-bit constant no other part of IdNode uses; paired with the schema so nodes pointed at
    // different schemas of one database do not wait for each other.
    private const int MigrationLockClass = 0x1D0DE;

    /// <summary>
    /// Brings the schema up to date. Several nodes may start at once: a session-level advisory
    /// lock makes them take turns, and each one re-reads the version after getting the lock, so a
    /// migration runs exactly once. Each migration commits with its version row, so a crash
    /// half-way leaves the schema at a whole version.
    /// </summary>
    private void Migrate()
    {
        try
        {
            using var conn = _dataSource.OpenConnection();
            Exec(conn, $"SELECT pg_advisory_lock({MigrationLockClass}, hashtext(COALESCE(current_schema(), '')))");
            try
            {
                Exec(conn, "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
                using var get = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version", conn);
                var current = (int)get.ExecuteScalar()!;
                for (var v = current; v < Migrations.Length; v++)
                {
                    using var tx = conn.BeginTransaction();
                    Exec(conn, Migrations[v]);
                    Exec(conn, $"INSERT INTO schema_version(version) VALUES ({v + 1})");
                    tx.Commit();
                }
            }
            finally
            {
                Exec(conn, $"SELECT pg_advisory_unlock({MigrationLockClass}, hashtext(COALESCE(current_schema(), '')))");
            }
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable(e, committing: false);
        }
    }

    private static void Exec(NpgsqlConnection conn, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, conn);
        cmd.ExecuteNonQuery();
    }

    // Forward-only; entry i moves the schema from version i to i + 1. Never edit a shipped entry.
    // Keys and prefixes use the "C" collation: byte order, the same order SQLite gives, and the
    // order list cursors (afterKey) rely on — independent of the database's locale.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE handles (
            key        text COLLATE "C" PRIMARY KEY,
            handle     text NOT NULL,
            prefix     text COLLATE "C" NOT NULL,
            version    bigint NOT NULL,
            data       bytea,
            updated_at bigint NOT NULL
        );
        CREATE INDEX handles_by_prefix ON handles (prefix, key) WHERE data IS NOT NULL;
        CREATE TABLE record_history (
            key     text COLLATE "C" NOT NULL,
            version bigint NOT NULL,
            handle  text NOT NULL,
            kind    smallint NOT NULL,
            data    bytea,
            at      bigint NOT NULL,
            actor   text,
            PRIMARY KEY (key, version)
        );
        CREATE TABLE change_log (
            seq     bigint PRIMARY KEY,
            key     text NOT NULL,
            handle  text NOT NULL,
            version bigint NOT NULL,
            kind    smallint NOT NULL,
            at      bigint NOT NULL
        );
        -- One row: the last change-log sequence handed out (see ChangesSql for why not a sequence).
        CREATE TABLE change_counter (
            id  integer PRIMARY KEY CHECK (id = 1),
            seq bigint NOT NULL
        );
        INSERT INTO change_counter VALUES (1, 0);
        CREATE TABLE prefix_counts (
            prefix text COLLATE "C" PRIMARY KEY,
            count  bigint NOT NULL
        );
        """,
        RegistrySchema,
        // Every create paid for this index (an index insert and its WAL) only to serve listing,
        // which the primary key serves as well: keys are "prefix/suffix" in byte order, so one
        // prefix's keys are the contiguous range [prefix + "/", prefix + "0") — see ListAsync.
        """
        DROP INDEX IF EXISTS handles_by_prefix;
        """,
        // From here on record_history holds superseded versions only and the current version lives
        // in handles alone: a create used to write its whole record twice (about 40 % of its WAL).
        // Rows written before keep kind NULL — their current version is in record_history already,
        // so the write that supersedes one must not copy it again (see UpdateSql, GetHistoryAsync).
        // Nullable without a default: adding the columns rewrites nothing.
        """
        ALTER TABLE handles ADD COLUMN kind smallint, ADD COLUMN actor text;
        """,
        // From here on the change log is written one row per committed batch (every committed item
        // of one transaction, in sequence order) instead of one row per item: a 2000-item batch
        // paid 2000 heap tuples and primary-key entries (~5 µs and ~220 WAL bytes per item); as
        // arrays in one row it pays one tuple, and TOAST compresses the keys, which share their
        // prefixes. The sequences first_seq..last_seq stay gapless and in commit order (one counter
        // row, see ChangesSql). handles[i] is NULL where the handle is spelled like its key.
        // change_log keeps the rows written before; ReadChangesAsync reads both.
        """
        CREATE TABLE change_batches (
            last_seq  bigint PRIMARY KEY,
            first_seq bigint NOT NULL UNIQUE,
            at        bigint NOT NULL,
            keys      text[] NOT NULL,
            handles   text[] NOT NULL,
            versions  bigint[] NOT NULL,
            kinds     smallint[] NOT NULL,
            CHECK (last_seq - first_seq + 1 = cardinality(keys))
        );
        """,
    ];
}
