namespace IdNode.Core.Services;

/// <summary>
/// How a PUT applies its values. Without <see cref="Indexes"/> or <see cref="Various"/> the body
/// replaces the whole record; with them only the named (or given) values are added or replaced.
/// </summary>
public sealed record PutOptions(bool Overwrite = true, IReadOnlyList<int>? Indexes = null, bool Various = false)
{
    public static readonly PutOptions Replace = new();
    public bool IsPartial => Various || Indexes is { Count: > 0 };
}

/// <summary>The outcome of an accepted write.</summary>
public readonly record struct PutResult(string Handle, long Version, bool Created, bool Changed);
