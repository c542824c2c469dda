using BenchmarkDotNet.Attributes;
using IdNode.Core.Identifiers;

namespace IdNode.Benchmarks;

/// <summary>
/// Parse + normalise. Expectation: the span form allocates nothing; the string form allocates the
/// key only when normalisation changed the text (an upper-case prefix), else reuses the input.
/// </summary>
[MemoryDiagnoser]
[IterationTime(250)] // half the default: keeps `--job short --filter *` under 5 minutes on 2 busy cores
public class IdentifierBenchmarks
{
    private readonly IdentifierRules _rules = IdentifierRules.Default;
    private readonly string _canonical = "88.999.1001/PUMP-2026-000000123";
    private readonly string _upperPrefix = "88.ABC.1001/PUMP-2026-000000123";
    private readonly char[] _buffer = new char[256];

    [Benchmark(Baseline = true)]
    public int NormalizeSpan()
    {
        var error = IdentifierParser.Normalize(_canonical, _buffer, _rules, out var slash);
        return error.IsError ? -1 : slash;
    }

    [Benchmark]
    public string TryParseString()
        => IdentifierParser.TryParse(_canonical, _rules, out var id, out _) ? id.Key : "";

    [Benchmark]
    public string TryParseStringNeedsNormalising()
        => IdentifierParser.TryParse(_upperPrefix, _rules, out var id, out _) ? id.Key : "";
}
