using BenchmarkDotNet.Attributes;
using IdNode.Core.Json;
using IdNode.Core.Records;

namespace IdNode.Benchmarks;

/// <summary>Handle JSON out (the resolve response, built once per cache fill) and in (a PUT body, the stored form).</summary>
[MemoryDiagnoser]
[IterationTime(250)] // half the default: keeps `--job short --filter *` under 5 minutes on 2 busy cores
public class HandleJsonBenchmarks
{
    private readonly string _handle = SampleRecords.Handle(123);
    private readonly List<HandleValue> _values = SampleRecords.Values(123);
    private readonly byte[] _putBody = SampleRecords.PutBody(123);
    private readonly byte[] _stored = HandleJsonWriter.Stored(SampleRecords.Values(123));

    [Benchmark]
    public byte[] EncodeResolveResponse() => HandleJsonWriter.ResolveResponse(_handle, _values, static v => v.IsPublicRead);

    [Benchmark]
    public List<HandleValue> DecodePutBody() => HandleJsonReader.ReadBody(_putBody, out _);

    [Benchmark]
    public List<HandleValue> DecodeStored() => HandleJsonReader.ReadStored(_stored);
}
