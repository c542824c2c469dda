namespace IdNode.Core.Records;

/// <summary>Size limits on a record. Defaults fit every client seen; configurable per node.</summary>
public sealed class RecordLimits
{
    public static readonly RecordLimits Default = new();

    /// <summary>Maximum encoded size of one record's data in bytes (default 64 KiB).</summary>
    public int MaxRecordBytes { get; init; } = 64 * 1024;

    /// <summary>Maximum number of values in one record (default 500).</summary>
    public int MaxValues { get; init; } = 500;
}
