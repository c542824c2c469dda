using System.Diagnostics;
using IdNode.Core.Caching;
using IdNode.Core.Services;

namespace IdNode.Benchmarks;

/// <summary>
/// Bytes per cached identifier: fills an L1 with <c>count</c> entries built the way a resolve
/// builds them (<see cref="Resolver.BuildEntry"/>) and reports the managed-heap and RSS growth.
/// </summary>
public static class MemoryFootprint
{
    public static void Run(int count, TextWriter output)
    {
        var l1 = new L1Cache(long.MaxValue);
        var resolver = new Resolver(new UnreachableStore(), l1, new ResolverOptions());
        var heapBefore = Settle();
        var rssBefore = Rss();
        var now = l1.NowMs;
        for (var i = 0; i < count; i++)
        {
            var stored = SampleRecords.Stored(i);
            l1.Set(resolver.BuildEntry(stored.Key, stored, now));
        }
        var heapAfter = Settle();
        var rssAfter = Rss();
        var sample = SampleRecords.Stored(0);
        var json = resolver.BuildEntry(sample.Key, sample, now).PublicJson!.Length;

        output.WriteLine($"entries                 {l1.Count:N0}");
        output.WriteLine($"public JSON per record  {json} B");
        output.WriteLine($"L1 accounted size       {l1.Bytes / (double)count:F0} B/entry (CacheEntry.Size estimate)");
        output.WriteLine($"managed heap delta      {(heapAfter - heapBefore) / (double)count:F0} B/entry ({(heapAfter - heapBefore) / 1048576.0:F0} MiB)");
        output.WriteLine($"RSS delta               {(rssAfter - rssBefore) / (double)count:F0} B/entry ({(rssAfter - rssBefore) / 1048576.0:F0} MiB)");
        output.WriteLine($"RSS total               {rssAfter / 1048576.0:F0} MiB");
        GC.KeepAlive(l1);
    }

    private static long Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static long Rss()
    {
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64;
    }
}
