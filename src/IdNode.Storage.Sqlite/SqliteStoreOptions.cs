namespace IdNode.Storage.Sqlite;

public sealed class SqliteStoreOptions
{
    /// <summary>Path of the database file (default <c>./data/idnode.db</c>).</summary>
    public string Path { get; set; } = System.IO.Path.Combine("data", "idnode.db");

    /// <summary>
    /// fsync every commit (SQLite <c>synchronous=FULL</c>). Default true: an acknowledged write
    /// survives power loss, not just a process crash. NORMAL is faster in WAL mode but may lose the
    /// last commits on power loss.
    /// </summary>
    public bool SyncEveryCommit { get; set; } = true;

    /// <summary>
    /// Reader connections kept open (default 64). Under load (64 HTTP connections missing the
    /// cache) a smaller pool kept opening and closing connections, each with its PRAGMAs: cold
    /// reads ran at a fraction of SQLite's speed.
    /// </summary>
    public int ReaderPoolSize { get; set; } = 64;
}
