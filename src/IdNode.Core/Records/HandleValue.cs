namespace IdNode.Core.Records;

/// <summary>One typed value of a record (Handle value model).</summary>
public sealed record HandleValue(
    int Index,
    string Type,
    ValueData Data,
    int Ttl = HandleValue.DefaultTtl,
    long Timestamp = 0,
    ValuePermissions Permissions = ValuePermissions.Default,
    IReadOnlyList<ValueReference>? References = null)
{
    /// <summary>Seconds; Handle.Net's default relative TTL.</summary>
    public const int DefaultTtl = 86400;

    public IReadOnlyList<ValueReference> References { get; init; } = References ?? [];

    public bool IsPublicRead => (Permissions & ValuePermissions.PublicRead) != 0;

    /// <summary>Same content, ignoring the timestamp the server assigns.</summary>
    public bool SameContent(HandleValue other)
        => Index == other.Index && string.Equals(Type, other.Type, StringComparison.Ordinal) && Data.Equals(other.Data)
           && Ttl == other.Ttl && Permissions == other.Permissions && References.SequenceEqual(other.References);
}
