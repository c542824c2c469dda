using IdNode.Core.Ports;
using IdNode.Core.Registry;
using Microsoft.Data.Sqlite;

namespace IdNode.Storage.Sqlite;

public sealed partial class SqliteRecordStore
{
    // Schema version 2. Enterprises keep their fields as JSON beside the state queries filter on;
    // allocated_prefixes rows are never deleted, which is what makes a prefix never reused.
    private const string RegistrySchema = """
        CREATE TABLE principals (
            username      TEXT PRIMARY KEY,
            role          TEXT NOT NULL,
            enterprise_id INTEGER,
            prefixes      TEXT NOT NULL,
            secret_hash   TEXT NOT NULL,
            disabled      INTEGER NOT NULL,
            created_at    INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX principals_by_enterprise ON principals(enterprise_id);
        CREATE TABLE login_attempts (
            username     TEXT PRIMARY KEY,
            failures     INTEGER NOT NULL,
            locked_until INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE tokens (
            hash       TEXT PRIMARY KEY,
            username   TEXT NOT NULL,
            issued_at  INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            revoked    INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX tokens_by_user ON tokens(username);
        CREATE TABLE enterprises (
            id    INTEGER PRIMARY KEY AUTOINCREMENT,
            state INTEGER NOT NULL,
            data  BLOB NOT NULL
        );
        CREATE TABLE allocated_prefixes (
            number        INTEGER PRIMARY KEY,
            prefix        TEXT NOT NULL UNIQUE,
            enterprise_id INTEGER NOT NULL,
            allocated_at  INTEGER NOT NULL
        );
        CREATE TABLE audit_log (
            seq           INTEGER PRIMARY KEY AUTOINCREMENT,
            at            INTEGER NOT NULL,
            actor         TEXT NOT NULL,
            action        TEXT NOT NULL,
            target        TEXT,
            prefix        TEXT,
            enterprise_id INTEGER,
            outcome       TEXT NOT NULL,
            detail        TEXT
        );
        CREATE INDEX audit_by_target ON audit_log(target, seq);
        CREATE INDEX audit_by_actor ON audit_log(actor, seq);
        CREATE INDEX audit_by_prefix ON audit_log(prefix, seq);
        """;

    public Task<PrincipalAccount?> GetPrincipalAsync(string username, CancellationToken cancellationToken = default)
        => Task.FromResult(WithReader(c =>
        {
            using var cmd = Command(c, $"SELECT {PrincipalColumns} FROM principals WHERE username = $1;", username);
            using var r = cmd.ExecuteReader();
            return r.Read() ? ReadPrincipal(r) : null;
        }));

    public Task<bool> TryCreatePrincipalAsync(PrincipalAccount a, CancellationToken cancellationToken = default)
        => WithWriterAsync((c, tx) => Command(c, tx, $"INSERT INTO principals({PrincipalColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING;",
            a.Username, a.Role.ToString(), a.EnterpriseId, RegistryJson.JoinPrefixes(a.Prefixes), a.SecretHash, a.Disabled ? 1 : 0, a.CreatedAt).ExecuteNonQuery() == 1, cancellationToken);

    public Task<bool> UpdatePrincipalAsync(PrincipalAccount a, CancellationToken cancellationToken = default)
        => WithWriterAsync((c, tx) => Command(c, tx, "UPDATE principals SET role = $2, enterprise_id = $3, prefixes = $4, secret_hash = $5, disabled = $6 WHERE username = $1;",
            a.Username, a.Role.ToString(), a.EnterpriseId, RegistryJson.JoinPrefixes(a.Prefixes), a.SecretHash, a.Disabled ? 1 : 0).ExecuteNonQuery() == 1, cancellationToken);

    public Task<IReadOnlyList<PrincipalAccount>> ListPrincipalsAsync(long? enterpriseId, CancellationToken cancellationToken = default)
        => Task.FromResult(WithReader<IReadOnlyList<PrincipalAccount>>(c =>
        {
            using var cmd = Command(c, $"SELECT {PrincipalColumns} FROM principals WHERE $1 IS NULL OR enterprise_id = $1 ORDER BY username;", enterpriseId);
            using var r = cmd.ExecuteReader();
            var list = new List<PrincipalAccount>();
            while (r.Read())
                list.Add(ReadPrincipal(r));
            return list;
        }));

    public Task<LoginState> GetLoginStateAsync(string username, CancellationToken cancellationToken = default)
        => Task.FromResult(WithReader(c =>
        {
            using var cmd = Command(c, "SELECT failures, locked_until FROM login_attempts WHERE username = $1;", username);
            using var r = cmd.ExecuteReader();
            return r.Read() ? new LoginState(r.GetInt32(0), r.GetInt64(1)) : LoginState.Clean;
        }));

    public Task SetLoginStateAsync(string username, LoginState state, CancellationToken cancellationToken = default)
        => WithWriterAsync((c, tx) => state == LoginState.Clean
            ? Command(c, tx, "DELETE FROM login_attempts WHERE username = $1;", username).ExecuteNonQuery()
            : Command(c, tx, "INSERT INTO login_attempts VALUES ($1, $2, $3) ON CONFLICT(username) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until;",
                username, state.Failures, state.LockedUntil).ExecuteNonQuery(), cancellationToken);

    public Task AddTokenAsync(TokenRecord t, CancellationToken cancellationToken = default)
        => WithWriterAsync((c, tx) => Command(c, tx, "INSERT INTO tokens VALUES ($1, $2, $3, $4, $5);", t.Hash, t.Username, t.IssuedAt, t.ExpiresAt, t.Revoked ? 1 : 0).ExecuteNonQuery(),
            cancellationToken);

    public Task<TokenRecord?> GetTokenAsync(string hash, CancellationToken cancellationToken = default)
        => Task.FromResult(WithReader(c =>
        {
            using var cmd = Command(c, "SELECT hash, username, issued_at, expires_at, revoked FROM tokens WHERE hash = $1;", hash);
            using var r = cmd.ExecuteReader();
            return r.Read() ? new TokenRecord(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4) != 0) : null;
        }));

    public Task<int> RevokeTokensAsync(string? hash, string? username, CancellationToken cancellationToken = default)
        => WithWriterAsync((c, tx) => Command(c, tx, "UPDATE tokens SET revoked = 1 WHERE revoked = 0 AND (hash = $1 OR username = $2);", hash, username).ExecuteNonQuery(),
            cancellationToken);

    public Task<long> CreateEnterpriseAsync(Enterprise e, CancellationToken cancellationToken = default)
        => WithWriterAsync((c, tx) => (long)Command(c, tx, "INSERT INTO enterprises(state, data) VALUES ($1, $2) RETURNING id;", (int)e.State, RegistryJson.Serialize(e)).ExecuteScalar()!,
            cancellationToken);

    public Task<Enterprise?> GetEnterpriseAsync(long id, CancellationToken cancellationToken = default)
        => Task.FromResult(WithReader(c =>
        {
            using var cmd = Command(c, "SELECT id, data FROM enterprises WHERE id = $1;", id);
            using var r = cmd.ExecuteReader();
            return r.Read() ? ReadEnterprise(r) : null;
        }));

    public Task<IReadOnlyList<Enterprise>> ListEnterprisesAsync(PrefixState? state, CancellationToken cancellationToken = default)
        => Task.FromResult(WithReader<IReadOnlyList<Enterprise>>(c =>
        {
            using var cmd = Command(c, "SELECT id, data FROM enterprises WHERE $1 IS NULL OR state = $1 ORDER BY id;", (int?)state);
            using var r = cmd.ExecuteReader();
            var list = new List<Enterprise>();
            while (r.Read())
                list.Add(ReadEnterprise(r));
            return list;
        }));

    public Task<bool> UpdateEnterpriseAsync(Enterprise e, PrefixState expectedState, CancellationToken cancellationToken = default)
        => WithWriterAsync((c, tx) => Command(c, tx, "UPDATE enterprises SET state = $2, data = $3 WHERE id = $1 AND state = $4;",
            e.Id, (int)e.State, RegistryJson.Serialize(e), (int)expectedState).ExecuteNonQuery() == 1, cancellationToken);

    public Task<bool> TryAllocatePrefixAsync(string prefix, long number, long enterpriseId, long at, CancellationToken cancellationToken = default)
        => WithWriterAsync((c, tx) => Command(c, tx, "INSERT INTO allocated_prefixes VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING;", number, prefix, enterpriseId, at).ExecuteNonQuery() == 1,
            cancellationToken);

    public Task<IReadOnlyList<long>> AllocatedNumbersAsync(CancellationToken cancellationToken = default)
        => Task.FromResult(WithReader<IReadOnlyList<long>>(c =>
        {
            using var cmd = Command(c, "SELECT number FROM allocated_prefixes ORDER BY number;");
            using var r = cmd.ExecuteReader();
            var list = new List<long>();
            while (r.Read())
                list.Add(r.GetInt64(0));
            return list;
        }));

    public Task AppendAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
        => WithWriterAsync((c, tx) =>
        {
            using var cmd = Command(c, tx, "INSERT INTO audit_log(at, actor, action, target, prefix, enterprise_id, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8);",
                0L, "", "", null, null, null, "", null);
            cmd.Prepare();
            foreach (var e in entries)
            {
                SetValues(cmd, e.At, e.Actor, e.Action, e.Target, e.Prefix, e.EnterpriseId, e.Outcome, e.Detail);
                cmd.ExecuteNonQuery();
            }
            return 0;
        }, cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery q, CancellationToken cancellationToken = default)
        => Task.FromResult(WithReader<IReadOnlyList<AuditEntry>>(c =>
        {
            using var cmd = Command(c, """
                SELECT seq, at, actor, action, target, prefix, enterprise_id, outcome, detail FROM audit_log
                WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR target = $2) AND ($3 IS NULL OR prefix = $3) AND ($4 IS NULL OR enterprise_id = $4)
                  AND ($5 IS NULL OR outcome = $5) AND ($6 IS NULL OR at >= $6) AND ($7 IS NULL OR seq < $7)
                ORDER BY seq DESC LIMIT $8;
                """, q.Actor, q.Target, q.Prefix, q.EnterpriseId, q.Outcome, q.Since, q.BeforeSequence, q.Limit);
            using var r = cmd.ExecuteReader();
            var list = new List<AuditEntry>();
            while (r.Read())
                list.Add(new AuditEntry(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                    r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetInt64(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)));
            return list;
        }));

    private const string PrincipalColumns = "username, role, enterprise_id, prefixes, secret_hash, disabled, created_at";

    private static PrincipalAccount ReadPrincipal(SqliteDataReader r)
        => new(r.GetString(0), Enum.Parse<PrincipalRole>(r.GetString(1)), r.IsDBNull(2) ? null : r.GetInt64(2), RegistryJson.SplitPrefixes(r.GetString(3)),
            r.GetString(4), r.GetInt64(5) != 0, r.GetInt64(6));

    private static Enterprise ReadEnterprise(SqliteDataReader r) => RegistryJson.DeserializeEnterprise((byte[])r.GetValue(1)) with { Id = r.GetInt64(0) };

    private static SqliteCommand Command(SqliteConnection c, string sql, params object?[] args) => Command(c, null, sql, args);

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction? tx, string sql, params object?[] args)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        for (var i = 0; i < args.Length; i++)
            cmd.Parameters.AddWithValue("$" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), args[i] ?? DBNull.Value);
        return cmd;
    }

    private static void SetValues(SqliteCommand cmd, params object?[] args)
    {
        for (var i = 0; i < args.Length; i++)
            cmd.Parameters[i].Value = args[i] ?? DBNull.Value;
    }

    private async Task<T> WithWriterAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var tx = _writer.BeginTransaction(deferred: false);
            var result = work(_writer, tx);
            tx.Commit();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
