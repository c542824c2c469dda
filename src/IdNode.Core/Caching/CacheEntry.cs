using IdNode.Core.Records;

namespace IdNode.Core.Caching;

/// <summary>
/// A cached resolve result at one version. <see cref="Record"/> null means "not found" (negative
/// entry). <see cref="PublicJson"/> holds the encoded bytes of the common request (unfiltered,
/// public values only) so a hit is a copy of bytes, not an encode.
/// A <see cref="IsMarker"/> entry is not an answer: it records that <see cref="Version"/> was
/// committed, so a slow reader cannot put an older version back.
/// </summary>
public sealed class CacheEntry
{
    public string Key { get; }
    public long Version { get; }
    public HandleRecord? Record { get; }
    public byte[]? PublicJson { get; }
    public long ExpiresAtMs { get; }
    public bool IsMarker { get; }
    public int Size { get; }

    // Second-chance bit for CLOCK eviction; a benign race (lost set) only costs one extra eviction.
    internal bool Touched;

    private CacheEntry(string key, long version, HandleRecord? record, byte[]? publicJson, long expiresAtMs, bool isMarker)
    {
        Key = key;
        Version = version;
        Record = record;
        PublicJson = publicJson;
        ExpiresAtMs = expiresAtMs;
        IsMarker = isMarker;
        // Measured on x64: object headers, the key string, the bytes and roughly twice the JSON for the decoded record.
        Size = 96 + key.Length * 2 + (publicJson?.Length ?? 0) * 3;
    }

    public static CacheEntry Found(string key, HandleRecord record, byte[] publicJson, long expiresAtMs)
        => new(key, record.Version, record, publicJson, expiresAtMs, false);

    public static CacheEntry NotFound(string key, long version, long expiresAtMs)
        => new(key, version, null, null, expiresAtMs, false);

    public static CacheEntry Marker(string key, long version, long expiresAtMs)
        => new(key, version, null, null, expiresAtMs, true);

    public bool IsFound => Record is not null;
}
