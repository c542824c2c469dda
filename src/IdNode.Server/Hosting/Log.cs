namespace IdNode.Server.Hosting;

/// <summary>Every log line of the server, with stable event ids. Secrets never appear in any of them.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Error, "Unhandled error on {Method} {Path}")]
    public static partial void UnhandledError(ILogger logger, string method, PathString path, Exception exception);

    [LoggerMessage(2, LogLevel.Information, "Node prefix {Prefix}; store {Store}; cache {Cache}")]
    public static partial void Started(ILogger logger, string prefix, string store, string cache);

    [LoggerMessage(3, LogLevel.Information, "Bootstrap admin {Identity} created")]
    public static partial void AdminCreated(ILogger logger, string identity);

    [LoggerMessage(4, LogLevel.Information, "Bootstrap admin {Identity} secret updated from configuration")]
    public static partial void AdminSecretUpdated(ILogger logger, string identity);

    [LoggerMessage(50, LogLevel.Warning, "Store unavailable on {Method} {Path}: {Reason}")]
    public static partial void StoreUnavailable(ILogger logger, string method, PathString path, string reason);
}
