using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using IdNode.Benchmarks;

// `memory [count]` measures the L1 footprint outside BenchmarkDotNet (it needs one big heap, not iterations).
if (args.Length > 0 && args[0] == "memory")
{
    var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
    MemoryFootprint.Run(count, Console.Out);
    return;
}
// The generated project builds with shared compilation off; on a busy 2-core machine that takes
// longer than BenchmarkDotNet's default 2-minute build timeout.
var config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(5));
BenchmarkSwitcher.FromAssembly(typeof(SampleRecords).Assembly).Run(args, config);
