using IdNode.TestSupport;
using Npgsql;

namespace IdNode.Integration.Tests;

/// <summary>The store every node of one test shares, as node configuration.</summary>
public sealed class SharedStore : IDisposable
{
    private readonly string? _directory;
    private readonly string? _server;
    private readonly string? _schema;

    private SharedStore(string kind, Dictionary<string, string> settings, string? directory, string? server = null, string? schema = null)
    {
        Kind = kind;
        Settings = settings;
        _directory = directory;
        _server = server;
        _schema = schema;
    }

    public string Kind { get; }
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>One SQLite file in a throwaway folder (WAL mode lets several processes share it).</summary>
    public static SharedStore Sqlite()
    {
        var dir = Path.Combine(Path.GetTempPath(), "idnode-it-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return new SharedStore("sqlite", new Dictionary<string, string>
        {
            ["IdNode:Store:Kind"] = "sqlite",
            ["IdNode:Store:DataDirectory"] = dir,
        }, dir);
    }

    /// <summary>A fresh schema on <paramref name="server"/> (default: the PostgreSQL ./test.sh started; skips or fails under CI without it).</summary>
    public static SharedStore Postgres(string? server = null)
    {
        server ??= TestServers.Require(TestServers.Postgres, "PostgreSQL");
        var schema = "it_" + Guid.NewGuid().ToString("N")[..12];
        Exec(server, $"CREATE SCHEMA {schema}");
        var connection = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema, Timeout = 3 }.ToString();
        return new SharedStore("postgres", new Dictionary<string, string>
        {
            ["IdNode:Store:Kind"] = "postgres",
            ["ConnectionStrings:Postgres"] = connection,
        }, null, server, schema);
    }

    public static SharedStore Create(string kind) => kind switch
    {
        "sqlite" => Sqlite(),
        "postgres" => Postgres(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown store"),
    };

    private static void Exec(string server, string sql)
    {
        using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ToString());
        conn.Open();
        using var cmd = new NpgsqlCommand(sql, conn);
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        if (_server is not null)
        {
            try
            {
                Exec(_server, $"DROP SCHEMA IF EXISTS {_schema} CASCADE");
            }
            catch (NpgsqlException)
            {
                // A private cluster already stopped: nothing to drop.
            }
        }
        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
