namespace IdNode.Storage.Postgres;

public sealed class PostgresStoreOptions
{
    /// <summary>Npgsql connection string (<c>ConnectionStrings:Postgres</c>). Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// Statements kept prepared per physical connection (Npgsql auto-prepare), used when the
    /// connection string does not set <c>Max Auto Prepare</c> itself. Default 32: the store has
    /// about a dozen distinct statements, so every one of them stays prepared.
    /// </summary>
    public int MaxAutoPrepare { get; set; } = 32;

    /// <summary>
    /// Single-record reads (the resolve miss) share connections through Npgsql multiplexing.
    /// Default true; false gives every read its own pooled connection, like the other statements.
    /// </summary>
    public bool MultiplexReads { get; set; } = true;

    /// <summary>
    /// Npgsql write buffer of the write pool's connections, in bytes, used when the connection string
    /// leaves <c>Write Buffer Size</c> at its default. Default 256 KiB: a 2000-record batch goes out in
    /// a handful of socket writes instead of hundreds (Npgsql's default is 8 KiB).
    /// </summary>
    public int WriteBufferBytes { get; set; } = 256 * 1024;
}
