using BenchmarkDotNet.Running;
using IdNode.Benchmarks;

// `memory [count]` measures the L1 footprint outside BenchmarkDotNet (it needs one big heap, not iterations).
if (args.Length > 0 && args[0] == "memory")
{
    var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
    MemoryFootprint.Run(count, Console.Out);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(SampleRecords).Assembly).Run(args);
