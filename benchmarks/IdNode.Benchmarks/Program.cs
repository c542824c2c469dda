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
// In process by default: the out-of-process toolchain first builds a generated project with shared
// compilation off, which alone took ~3 minutes on a busy 2-core machine and broke the 5-minute
// budget of `--job short --filter '*'`. Pass --outOfProcess for full process isolation.
var outOfProcess = args.Contains("--outOfProcess");
args = [.. args.Where(a => a != "--outOfProcess")];
if (!outOfProcess && !args.Contains("--inProcess"))
    args = [.. args, "--inProcess"];
var config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(5));
BenchmarkSwitcher.FromAssembly(typeof(SampleRecords).Assembly).Run(args, config);
