namespace IdNode.Server.Options;

/// <summary><c>IdNode:Store</c> — where records live.</summary>
public sealed class StoreOptions
{
    public const string Section = "IdNode:Store";

    /// <summary>
    /// <c>sqlite</c> (default, embedded) or <c>postgres</c> (production: connection string from
    /// <c>ConnectionStrings:Postgres</c>, env <c>ConnectionStrings__Postgres</c>; schema created and
    /// migrated at start).
    /// </summary>
    public string Kind { get; set; } = "sqlite";

    /// <summary>Folder of the embedded database, relative to the working directory (default <c>./data</c>).</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>fsync every commit on the embedded store (default true).</summary>
    public bool SyncEveryCommit { get; set; } = true;
}
