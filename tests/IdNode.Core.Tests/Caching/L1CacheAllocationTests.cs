using IdNode.Core.Caching;
using IdNode.Core.Identifiers;
using IdNode.Core.Records;

namespace IdNode.Core.Tests.Caching;

/// <summary>
/// The written-down allocation expectation of the resolve hit path (BENCHMARKS.md): normalising
/// into a caller buffer and L1 TryGet by span allocate 0 B per lookup, hit or miss.
/// </summary>
public class L1CacheAllocationTests
{
    private const int Lookups = 10_000;

    private static L1Cache Filled(out string key)
    {
        var l1 = new L1Cache(long.MaxValue);
        var record = new HandleRecord("88.abc/ITEM-1", 1, [new HandleValue(1, "URL", ValueData.FromString("https://example.com/1"))]);
        for (var i = 0; i < 100; i++)
            l1.Set(CacheEntry.Found($"88.abc/ITEM-{i}", record with { Handle = $"88.abc/ITEM-{i}" }, new byte[64], l1.NowMs + 60_000));
        key = "88.abc/ITEM-42";
        return l1;
    }

    [Fact]
    public void TryGet_by_span_on_a_hit_allocates_nothing()
    {
        var l1 = Filled(out var key);
        var span = key.ToCharArray();
        Assert.True(l1.TryGet(span, out _)); // first call JIT-compiles, outside the measurement

        var found = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Lookups; i++)
            if (l1.TryGet(span, out _))
                found++;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(Lookups, found);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void TryGet_by_span_on_a_miss_allocates_nothing()
    {
        var l1 = Filled(out _);
        var span = "88.abc/NOT-CACHED".ToCharArray();
        Assert.False(l1.TryGet(span, out _));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Lookups; i++)
            Assert.False(l1.TryGet(span, out _));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Normalize_then_TryGet_allocates_nothing_for_a_client_spelling_that_differs_from_the_key()
    {
        var l1 = Filled(out var key);
        // The prefix compares case-insensitively, so a lower-case client spelling must still hit.
        var client = "88.ABC/ITEM-42".AsMemory();
        var buffer = new char[64];
        var rules = IdentifierRules.Default;
        Assert.False(IdentifierParser.Normalize(client.Span, buffer, rules, out _).IsError);
        Assert.True(l1.TryGet(buffer.AsSpan(0, client.Length), out var entry));
        Assert.Equal(key, entry.Key);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Lookups; i++)
        {
            IdentifierParser.Normalize(client.Span, buffer, rules, out _);
            l1.TryGet(buffer.AsSpan(0, client.Length), out _);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
