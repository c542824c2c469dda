using System.ComponentModel.DataAnnotations;

namespace IdNode.Server.Options;

/// <summary><c>IdNode:Http</c> — the HTTP API.</summary>
public sealed class HttpApiOptions
{
    public const string Section = "IdNode:Http";

    /// <summary>Largest accepted PUT body in bytes (default 1 MiB).</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Page size when a list request names none (default 1000); the maximum is 10000.</summary>
    [Range(1, 10_000)]
    public int DefaultPageSize { get; set; } = 1000;

    /// <summary>Whether listing a prefix needs a credential of that prefix (default false: listing is a read).</summary>
    public bool ListRequiresAuth { get; set; }
}
