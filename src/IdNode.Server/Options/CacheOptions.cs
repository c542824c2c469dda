using System.ComponentModel.DataAnnotations;

namespace IdNode.Server.Options;

/// <summary><c>IdNode:Cache</c> — the resolve caches.</summary>
public sealed class CacheOptions
{
    public const string Section = "IdNode:Cache";

    /// <summary><c>memory</c> (default: in-process only) or <c>redis</c>.</summary>
    public string Kind { get; set; } = "memory";

    /// <summary>Bytes the in-process L1 cache may hold (default 256 MiB).</summary>
    [Range(0, long.MaxValue)]
    public long L1MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Cap on a found record's cache lifetime, seconds (default 3600).</summary>
    [Range(0, 86400 * 7)]
    public int MaxTtlSeconds { get; set; } = 3600;

    /// <summary>How long "not found" is cached, seconds (default 5).</summary>
    [Range(0, 3600)]
    public int NegativeTtlSeconds { get; set; } = 5;
}
