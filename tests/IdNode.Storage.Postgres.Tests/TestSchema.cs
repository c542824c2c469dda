using IdNode.TestSupport;
using Npgsql;

namespace IdNode.Storage.Postgres.Tests;

/// <summary>
/// A fresh schema on the test server, dropped afterwards: tests running in parallel never see
/// each other's rows, and a schema is much cheaper to create than a database.
/// </summary>
internal sealed class TestSchema : IAsyncDisposable
{
    private readonly string _server;

    public string Name { get; }

    /// <summary>Connection string whose search_path is this schema.</summary>
    public string ConnectionString { get; }

    private TestSchema(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { SearchPath = name }.ToString();
    }

    /// <param name="server">A server connection string; default the one ./test.sh started (skips or fails under CI without it).</param>
    public static async Task<TestSchema> CreateAsync(string? server = null)
    {
        server ??= TestServers.Require(TestServers.Postgres, "PostgreSQL");
        var schema = new TestSchema(server, "t_" + Guid.NewGuid().ToString("N")[..16]);
        await schema.ExecAsync($"CREATE SCHEMA {schema.Name}");
        return schema;
    }

    public async Task ExecAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Pooling = false }.ToString());
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>The first column of every row, in the order the statement gives.</summary>
    public async Task<List<T>> ListAsync<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var list = new List<T>();
        while (await r.ReadAsync())
            list.Add(r.GetFieldValue<T>(0));
        return list;
    }

    public PostgresRecordStore OpenStore() => new(new PostgresStoreOptions { ConnectionString = ConnectionString });

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ExecAsync($"DROP SCHEMA IF EXISTS {Name} CASCADE");
        }
        catch (NpgsqlException)
        {
            // The server is gone (an outage test's private cluster): nothing left to drop.
        }
    }
}
