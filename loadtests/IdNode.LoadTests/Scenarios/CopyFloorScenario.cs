using Npgsql;
using NpgsqlTypes;

namespace IdNode.LoadTests.Scenarios;

/// <summary>
/// The floor for batch registration on PostgreSQL: the rows a registration must make durable —
/// the record (which carries its kind and actor: the store keeps a current version only there and
/// writes history when a version is superseded, so a create has no history row) and its change-log
/// entry (one row per batch, as the store writes it) — written the cheapest way PostgreSQL
/// offers (binary COPY, one transaction per batch of <see cref="LoadOptions.BatchSize"/>), into
/// scratch tables with the node's columns and primary keys (schema loadtest_floor, dropped at
/// set-up). No conflict checks, counters or sequencing: what the node adds to this is its cost.
/// Record bytes: <see cref="Records.Body"/>, about the size the node stores for the same record.
/// </summary>
public sealed class CopyFloorScenario(LoadOptions options) : Scenario, IDisposable
{
    private const string Schema = "loadtest_floor";
    private NpgsqlDataSource? _source;
    private long _seq;
    // Numbers the calls itself: the runner's sequence starts again after the warm-up.
    private long _calls;

    public override string Name => "copy-floor";

    public override string? SkipReason => options.Postgres.Length > 0 ? null : "needs --pg <connection string>";

    public override int ItemsPerRequest => options.BatchSize;

    public override async Task SetupAsync(CancellationToken cancellationToken)
    {
        var csb = new NpgsqlConnectionStringBuilder(options.Postgres) { SearchPath = Schema, MaxPoolSize = Math.Max(options.Connections, 10) };
        if (csb.Host is not ("127.0.0.1" or "localhost" or "::1"))
            throw new InvalidOperationException("--pg must point at a loopback server: load tests never leave the machine");
        _source = NpgsqlDataSource.Create(csb);
        await using var cmd = _source.CreateCommand($"""
            DROP SCHEMA IF EXISTS {Schema} CASCADE;
            CREATE SCHEMA {Schema};
            CREATE TABLE {Schema}.handles (key text COLLATE "C" PRIMARY KEY, handle text NOT NULL, prefix text COLLATE "C" NOT NULL,
                version bigint NOT NULL, data bytea, updated_at bigint NOT NULL, kind smallint, actor text);
            CREATE TABLE {Schema}.change_batches (last_seq bigint PRIMARY KEY, first_seq bigint NOT NULL UNIQUE, at bigint NOT NULL,
                keys text[] NOT NULL, handles text[] NOT NULL, versions bigint[] NOT NULL, kinds smallint[] NOT NULL);
            """);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask<bool> SendAsync(long sequence, CancellationToken cancellationToken)
    {
        var n = options.BatchSize;
        var call = Interlocked.Increment(ref _calls);
        var keys = new string[n];
        var data = new byte[n][];
        for (var i = 0; i < n; i++)
        {
            keys[i] = $"{options.Prefix}/LOADTEST-F{call:D7}-{i:D4}";
            data[i] = Records.Body(keys[i], sequence);
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var firstSeq = Interlocked.Add(ref _seq, n) - n + 1;
        await using var conn = await _source!.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var copy = await conn.BeginBinaryImportAsync("COPY handles (key, handle, prefix, version, data, updated_at, kind, actor) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < n; i++)
            {
                await copy.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(keys[i], NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(keys[i], NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(options.Prefix, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(1L, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(data[i], NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(now, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync((short)1, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(options.Prefix + "/ADMIN", NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            }
            await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        // One change-log row per committed batch, as the store writes it (handles NULL: spelled like the key).
        await using (var copy = await conn.BeginBinaryImportAsync("COPY change_batches (last_seq, first_seq, at, keys, handles, versions, kinds) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            await copy.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(firstSeq + n - 1, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(firstSeq, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(now, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(keys, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(new string?[n], NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(Enumerable.Repeat(1L, n).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(Enumerable.Repeat((short)1, n).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
            await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public void Dispose() => _source?.Dispose();
}
