using System.ComponentModel.DataAnnotations;

namespace IdNode.Server.Options;

/// <summary><c>IdNode:Node</c> — who this node is.</summary>
public sealed class NodeOptions
{
    public const string Section = "IdNode:Node";

    /// <summary>The node prefix given by the top-level node (default <c>88.999</c>, a local placeholder).</summary>
    [Required]
    public string Prefix { get; set; } = "88.999";

    /// <summary>Whether suffixes compare case-sensitively (default true).</summary>
    public bool SuffixCaseSensitive { get; set; } = true;

    /// <summary>Maximum identifier length in characters (default 255, at most 2048).</summary>
    [Range(3, 2048)]
    public int MaxIdentifierLength { get; set; } = 255;

    /// <summary>Maximum size of one record in bytes (default 65536).</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxRecordBytes { get; set; } = 64 * 1024;

    /// <summary>Maximum number of values in one record (default 500).</summary>
    [Range(1, 100_000)]
    public int MaxValues { get; set; } = 500;

    /// <summary>Human-readable description published in <c>/api/site</c>.</summary>
    public string Description { get; set; } = "IdNode secondary node";
}
