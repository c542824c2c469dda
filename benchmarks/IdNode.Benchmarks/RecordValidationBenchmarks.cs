using BenchmarkDotNet.Attributes;
using IdNode.Core.Records;

namespace IdNode.Benchmarks;

/// <summary>Validation of a full batch (2000 records, the batch limit) — what a BatchRegister pays before touching the store.</summary>
[MemoryDiagnoser]
[IterationTime(250)] // half the default: keeps `--job short --filter *` under 5 minutes on 2 busy cores
public class RecordValidationBenchmarks
{
    private readonly List<List<HandleValue>> _batch = Enumerable.Range(0, 2000).Select(SampleRecords.Values).ToList();
    private readonly RecordLimits _limits = RecordLimits.Default;

    [Benchmark]
    public int ValidateBatchOf2000()
    {
        var invalid = 0;
        foreach (var values in _batch)
            if (RecordValidator.Validate(values, _limits) is not null)
                invalid++;
        return invalid;
    }
}
