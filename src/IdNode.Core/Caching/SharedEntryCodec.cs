using System.Buffers.Binary;
using System.Text;
using IdNode.Core.Ports;

namespace IdNode.Core.Caching;

/// <summary>
/// What L2 holds for a found record: its stored form (display handle + stored JSON), not the
/// encoded response. Every node needs the decoded record in its L1 anyway (filtered and
/// authorised requests read it), so an L2 hit decodes either way; the public JSON is rebuilt
/// from the decoded values, which keeps one format in Redis and half the memory.
/// Layout: int32 handle byte count (little-endian), handle UTF-8, stored JSON.
/// </summary>
public static class SharedEntryCodec
{
    public static SharedCacheEntry Encode(StoredRecord stored)
    {
        var data = stored.Data ?? throw new ArgumentException("Only found records are shared", nameof(stored));
        var handleBytes = Encoding.UTF8.GetByteCount(stored.Handle);
        var payload = new byte[4 + handleBytes + data.Length];
        BinaryPrimitives.WriteInt32LittleEndian(payload, handleBytes);
        Encoding.UTF8.GetBytes(stored.Handle, payload.AsSpan(4));
        data.CopyTo(payload.AsSpan(4 + handleBytes));
        return new SharedCacheEntry(stored.Version, payload);
    }

    /// <summary>The stored form, or null when the bytes are not a valid entry (treated as a miss).</summary>
    public static StoredRecord? Decode(string key, SharedCacheEntry entry)
    {
        var payload = entry.Payload;
        if (payload.Length < 4)
            return null;
        var handleBytes = BinaryPrimitives.ReadInt32LittleEndian(payload);
        if (handleBytes < 0 || handleBytes > payload.Length - 4)
            return null;
        var handle = Encoding.UTF8.GetString(payload, 4, handleBytes);
        var data = payload.AsSpan(4 + handleBytes).ToArray();
        return new StoredRecord(key, handle, entry.Version, data, 0);
    }
}
