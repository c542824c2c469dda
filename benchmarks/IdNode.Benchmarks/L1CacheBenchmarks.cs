using BenchmarkDotNet.Attributes;
using IdNode.Core.Caching;

namespace IdNode.Benchmarks;

/// <summary>
/// The L1 hit path. Expectation (checked by L1CacheAllocationTests): TryGet by span allocates 0 B.
/// 20k entries so the lookup is not answered from one hot cache line.
/// </summary>
[MemoryDiagnoser]
[IterationTime(250)] // half the default: keeps `--job short --filter *` under 5 minutes on 2 busy cores
public class L1CacheBenchmarks
{
    private L1Cache _l1 = null!;
    private char[] _key = null!;

    [GlobalSetup]
    public void Setup()
    {
        SampleRecords.CachedResolver(20_000, out _l1);
        _key = SampleRecords.Key(SampleRecords.Handle(12_345)).ToCharArray();
    }

    [Benchmark]
    public int TryGetBySpan() => _l1.TryGet(_key, out var entry) ? entry.PublicJson!.Length : -1;
}
