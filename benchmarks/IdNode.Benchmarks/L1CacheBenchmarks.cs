using BenchmarkDotNet.Attributes;
using IdNode.Core.Caching;

namespace IdNode.Benchmarks;

/// <summary>
/// The L1 hit path. Expectation (checked by L1CacheAllocationTests): TryGet by span allocates 0 B.
/// 100k entries so the lookup is not answered from one hot cache line.
/// </summary>
[MemoryDiagnoser]
public class L1CacheBenchmarks
{
    private L1Cache _l1 = null!;
    private char[] _key = null!;

    [GlobalSetup]
    public void Setup()
    {
        SampleRecords.CachedResolver(100_000, out _l1);
        _key = SampleRecords.Key(SampleRecords.Handle(54_321)).ToCharArray();
    }

    [Benchmark]
    public int TryGetBySpan() => _l1.TryGet(_key, out var entry) ? entry.PublicJson!.Length : -1;
}
