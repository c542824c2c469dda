namespace IdNode.Core.Ports;

/// <summary>One L2 entry: the record version and the encoded bytes (see <see cref="Caching.SharedEntryCodec"/>).</summary>
public sealed record SharedCacheEntry(long Version, byte[] Payload);
