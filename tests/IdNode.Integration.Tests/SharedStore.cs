namespace IdNode.Integration.Tests;

/// <summary>The store every node of one test shares, as node configuration.</summary>
public sealed class SharedStore : IDisposable
{
    private readonly string? _directory;

    private SharedStore(string kind, Dictionary<string, string> settings, string? directory)
    {
        Kind = kind;
        Settings = settings;
        _directory = directory;
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

    public static SharedStore Create(string kind) => kind switch
    {
        "sqlite" => Sqlite(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown store"),
    };

    public void Dispose()
    {
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
