using IdNode.Core.Ports;
using IdNode.Core.Registry;
using Npgsql;
using NpgsqlTypes;

namespace IdNode.Storage.Postgres;

public sealed partial class PostgresRecordStore
{
    // Schema version 2; the same tables as the SQLite store (see SqliteRecordStore.Registry).
    private const string RegistrySchema = """
        CREATE TABLE principals (
            username      text COLLATE "C" PRIMARY KEY,
            role          text NOT NULL,
            enterprise_id bigint,
            prefixes      text NOT NULL,
            secret_hash   text NOT NULL,
            disabled      boolean NOT NULL,
            created_at    bigint NOT NULL
        );
        CREATE INDEX principals_by_enterprise ON principals (enterprise_id);
        CREATE TABLE login_attempts (
            username     text COLLATE "C" PRIMARY KEY,
            failures     integer NOT NULL,
            locked_until bigint NOT NULL
        );
        CREATE TABLE tokens (
            hash       text COLLATE "C" PRIMARY KEY,
            username   text COLLATE "C" NOT NULL,
            issued_at  bigint NOT NULL,
            expires_at bigint NOT NULL,
            revoked    boolean NOT NULL
        );
        CREATE INDEX tokens_by_user ON tokens (username);
        CREATE TABLE enterprises (
            id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            state smallint NOT NULL,
            data  bytea NOT NULL
        );
        CREATE TABLE allocated_prefixes (
            number        bigint PRIMARY KEY,
            prefix        text COLLATE "C" NOT NULL UNIQUE,
            enterprise_id bigint NOT NULL,
            allocated_at  bigint NOT NULL
        );
        CREATE TABLE audit_log (
            seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at            bigint NOT NULL,
            actor         text COLLATE "C" NOT NULL,
            action        text NOT NULL,
            target        text COLLATE "C",
            prefix        text COLLATE "C",
            enterprise_id bigint,
            outcome       text NOT NULL,
            detail        text
        );
        CREATE INDEX audit_by_target ON audit_log (target, seq);
        CREATE INDEX audit_by_actor ON audit_log (actor, seq);
        CREATE INDEX audit_by_prefix ON audit_log (prefix, seq);
        """;

    private const string PrincipalColumns = "username, role, enterprise_id, prefixes, secret_hash, disabled, created_at";

    public Task<PrincipalAccount?> GetPrincipalAsync(string username, CancellationToken cancellationToken = default)
        => ReadAsync(async (conn, ct) =>
        {
            await using var cmd = Cmd(conn, $"SELECT {PrincipalColumns} FROM principals WHERE username = $1", Text(username));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await r.ReadAsync(ct).ConfigureAwait(false) ? ReadPrincipal(r) : null;
        }, cancellationToken);

    public async Task<bool> TryCreatePrincipalAsync(PrincipalAccount a, CancellationToken cancellationToken = default)
        => await ExecAsync($"INSERT INTO principals ({PrincipalColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING", cancellationToken,
            Text(a.Username), Text(a.Role.ToString()), NullableInt64(a.EnterpriseId), Text(RegistryJson.JoinPrefixes(a.Prefixes)), Text(a.SecretHash), Bool(a.Disabled), Int64(a.CreatedAt))
            .ConfigureAwait(false) == 1;

    public async Task<bool> UpdatePrincipalAsync(PrincipalAccount a, CancellationToken cancellationToken = default)
        => await ExecAsync("UPDATE principals SET role = $2, enterprise_id = $3, prefixes = $4, secret_hash = $5, disabled = $6 WHERE username = $1", cancellationToken,
            Text(a.Username), Text(a.Role.ToString()), NullableInt64(a.EnterpriseId), Text(RegistryJson.JoinPrefixes(a.Prefixes)), Text(a.SecretHash), Bool(a.Disabled))
            .ConfigureAwait(false) == 1;

    public Task<IReadOnlyList<PrincipalAccount>> ListPrincipalsAsync(long? enterpriseId, CancellationToken cancellationToken = default)
        => ReadAsync<IReadOnlyList<PrincipalAccount>>(async (conn, ct) =>
        {
            await using var cmd = Cmd(conn, $"SELECT {PrincipalColumns} FROM principals WHERE $1::bigint IS NULL OR enterprise_id = $1 ORDER BY username", NullableInt64(enterpriseId));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<PrincipalAccount>();
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                list.Add(ReadPrincipal(r));
            return list;
        }, cancellationToken);

    public Task<LoginState> GetLoginStateAsync(string username, CancellationToken cancellationToken = default)
        => ReadAsync(async (conn, ct) =>
        {
            await using var cmd = Cmd(conn, "SELECT failures, locked_until FROM login_attempts WHERE username = $1", Text(username));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await r.ReadAsync(ct).ConfigureAwait(false) ? new LoginState(r.GetInt32(0), r.GetInt64(1)) : LoginState.Clean;
        }, cancellationToken);

    public Task SetLoginStateAsync(string username, LoginState state, CancellationToken cancellationToken = default)
        => state == LoginState.Clean
            ? ExecAsync("DELETE FROM login_attempts WHERE username = $1", cancellationToken, Text(username))
            : ExecAsync("""
                INSERT INTO login_attempts VALUES ($1, $2, $3)
                ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until
                """, cancellationToken, Text(username), new NpgsqlParameter<int> { TypedValue = state.Failures }, Int64(state.LockedUntil));

    public Task AddTokenAsync(TokenRecord t, CancellationToken cancellationToken = default)
        => ExecAsync("INSERT INTO tokens VALUES ($1, $2, $3, $4, $5)", cancellationToken, Text(t.Hash), Text(t.Username), Int64(t.IssuedAt), Int64(t.ExpiresAt), Bool(t.Revoked));

    public Task<TokenRecord?> GetTokenAsync(string hash, CancellationToken cancellationToken = default)
        => ReadAsync(async (conn, ct) =>
        {
            await using var cmd = Cmd(conn, "SELECT hash, username, issued_at, expires_at, revoked FROM tokens WHERE hash = $1", Text(hash));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await r.ReadAsync(ct).ConfigureAwait(false) ? new TokenRecord(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetBoolean(4)) : null;
        }, cancellationToken);

    public Task<int> RevokeTokensAsync(string? hash, string? username, CancellationToken cancellationToken = default)
        => ExecAsync("UPDATE tokens SET revoked = true WHERE NOT revoked AND (hash = $1 OR username = $2)", cancellationToken, Text(hash), Text(username));

    public Task<long> CreateEnterpriseAsync(Enterprise e, CancellationToken cancellationToken = default)
        => InTransactionAsync(async (conn, ct) =>
        {
            await using var cmd = Cmd(conn, "INSERT INTO enterprises (state, data) VALUES ($1, $2) RETURNING id", Int16((short)e.State), Bytes(RegistryJson.Serialize(e)));
            return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);

    public Task<Enterprise?> GetEnterpriseAsync(long id, CancellationToken cancellationToken = default)
        => ReadAsync(async (conn, ct) =>
        {
            await using var cmd = Cmd(conn, "SELECT id, data FROM enterprises WHERE id = $1", Int64(id));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await r.ReadAsync(ct).ConfigureAwait(false) ? ReadEnterprise(r) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<Enterprise>> ListEnterprisesAsync(PrefixState? state, CancellationToken cancellationToken = default)
        => ReadAsync<IReadOnlyList<Enterprise>>(async (conn, ct) =>
        {
            await using var cmd = Cmd(conn, "SELECT id, data FROM enterprises WHERE $1::smallint IS NULL OR state = $1 ORDER BY id",
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Smallint, Value = state is { } s ? (short)s : DBNull.Value });
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<Enterprise>();
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                list.Add(ReadEnterprise(r));
            return list;
        }, cancellationToken);

    public async Task<bool> UpdateEnterpriseAsync(Enterprise e, PrefixState expectedState, CancellationToken cancellationToken = default)
        => await ExecAsync("UPDATE enterprises SET state = $2, data = $3 WHERE id = $1 AND state = $4", cancellationToken,
            Int64(e.Id), Int16((short)e.State), Bytes(RegistryJson.Serialize(e)), Int16((short)expectedState)).ConfigureAwait(false) == 1;

    public async Task<bool> TryAllocatePrefixAsync(string prefix, long number, long enterpriseId, long at, CancellationToken cancellationToken = default)
        => await ExecAsync("INSERT INTO allocated_prefixes VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", cancellationToken,
            Int64(number), Text(prefix), Int64(enterpriseId), Int64(at)).ConfigureAwait(false) == 1;

    public Task<IReadOnlyList<long>> AllocatedNumbersAsync(CancellationToken cancellationToken = default)
        => ReadAsync<IReadOnlyList<long>>(async (conn, ct) =>
        {
            await using var cmd = Cmd(conn, "SELECT number FROM allocated_prefixes ORDER BY number");
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<long>();
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                list.Add(r.GetInt64(0));
            return list;
        }, cancellationToken);

    public Task AppendAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
        => InTransactionAsync(async (conn, ct) =>
        {
            var batch = new NpgsqlBatch(conn);
            await using (batch.ConfigureAwait(false))
            {
                foreach (var e in entries)
                {
                    var c = new NpgsqlBatchCommand("INSERT INTO audit_log (at, actor, action, target, prefix, enterprise_id, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
                    c.Parameters.Add(Int64(e.At));
                    c.Parameters.Add(Text(e.Actor));
                    c.Parameters.Add(Text(e.Action));
                    c.Parameters.Add(Text(e.Target));
                    c.Parameters.Add(Text(e.Prefix));
                    c.Parameters.Add(NullableInt64(e.EnterpriseId));
                    c.Parameters.Add(Text(e.Outcome));
                    c.Parameters.Add(Text(e.Detail));
                    batch.BatchCommands.Add(c);
                }
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            return 0;
        }, cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery q, CancellationToken cancellationToken = default)
        => ReadAsync<IReadOnlyList<AuditEntry>>(async (conn, ct) =>
        {
            await using var cmd = Cmd(conn, """
                SELECT seq, at, actor, action, target, prefix, enterprise_id, outcome, detail FROM audit_log
                WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR target = $2) AND ($3::text IS NULL OR prefix = $3)
                  AND ($4::bigint IS NULL OR enterprise_id = $4) AND ($5::text IS NULL OR outcome = $5) AND ($6::bigint IS NULL OR at >= $6)
                  AND ($7::bigint IS NULL OR seq < $7)
                ORDER BY seq DESC LIMIT $8
                """, Text(q.Actor), Text(q.Target), Text(q.Prefix), NullableInt64(q.EnterpriseId), Text(q.Outcome), NullableInt64(q.Since), NullableInt64(q.BeforeSequence),
                Int64(q.Limit));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<AuditEntry>();
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                list.Add(new AuditEntry(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                    r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetInt64(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)));
            return list;
        }, cancellationToken);

    private static PrincipalAccount ReadPrincipal(NpgsqlDataReader r)
        => new(r.GetString(0), Enum.Parse<PrincipalRole>(r.GetString(1)), r.IsDBNull(2) ? null : r.GetInt64(2), RegistryJson.SplitPrefixes(r.GetString(3)),
            r.GetString(4), r.GetBoolean(5), r.GetInt64(6));

    private static Enterprise ReadEnterprise(NpgsqlDataReader r) => RegistryJson.DeserializeEnterprise(r.GetFieldValue<byte[]>(1)) with { Id = r.GetInt64(0) };

    private static NpgsqlCommand Cmd(NpgsqlConnection conn, string sql, params NpgsqlParameter[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddRange(parameters);
        return cmd;
    }

    /// <summary>One statement in its own transaction; the number of rows it touched.</summary>
    private Task<int> ExecAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
        => InTransactionAsync(async (conn, ct) =>
        {
            // Parameters are re-created per attempt: a retried attempt must not reuse ones already bound to a dead command.
            await using var cmd = Cmd(conn, sql, parameters.Select(p => p.Clone()).ToArray());
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    private static NpgsqlParameter NullableInt64(long? value) => new() { NpgsqlDbType = NpgsqlDbType.Bigint, Value = value is { } v ? v : DBNull.Value };
    private static NpgsqlParameter Bool(bool value) => new NpgsqlParameter<bool> { NpgsqlDbType = NpgsqlDbType.Boolean, TypedValue = value };
}
