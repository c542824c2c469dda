using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using IdNode.Core.Ports;
using IdNode.TestSupport;
using Npgsql;
using Xunit.Abstractions;

namespace IdNode.Storage.Postgres.Tests;

/// <summary>
/// Measurements, not assertions on speed: bulk load, 2000-item batches, and primary-key reads
/// through the store next to raw pgbench on the same table in the same run. Run with
/// <c>IDNODE_PERF=1 ./test.sh --filter Category=Perf --logger "console;verbosity=detailed"</c>;
/// IDNODE_PERF_OUT names a file to append the numbers to.
/// </summary>
[Trait("Category", "Perf")]
[Collection(PostgresOutageCollection.Name)]
public sealed class PostgresStorePerfTests(ITestOutputHelper output)
{
    private const string P = "88.999.1";
    private const int Identifiers = 200_000;
    private const int Concurrency = 16;
    private static readonly TimeSpan ReadDuration = TimeSpan.FromSeconds(10);

    [SkippableFact]
    public async Task Measure_bulk_load_batches_and_primary_key_reads_against_pgbench()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("IDNODE_PERF") == "1", "set IDNODE_PERF=1 to measure");
        await using var schema = await TestSchema.CreateAsync();
        await using var store = schema.OpenStore();
        var data = Encoding.UTF8.GetBytes("""[{"index":1,"type":"URL","data":{"format":"string","value":"https://example.com/products/PUMP-2026-000123?lot=42"},"ttl":86400,"timestamp":"2026-11-26T12:00:00Z"}]""");
        Report($"record size {data.Length} bytes; {Environment.ProcessorCount} cores (shared, noisy)");

        var writes = Enumerable.Range(0, Identifiers)
            .Select(i => new RecordWrite($"{P}/perf-{i}", $"{P}/perf-{i}", P, 0, data, ChangeKind.Create, "perf")).ToArray();
        var sw = Stopwatch.StartNew();
        var bulk = await store.BulkInsertAsync(writes);
        sw.Stop();
        Assert.Equal(Identifiers, bulk.Inserted);
        Report($"BulkInsertAsync (binary COPY) {Identifiers:N0} identifiers: {sw.Elapsed.TotalSeconds:F2} s = {Identifiers / sw.Elapsed.TotalSeconds:N0} identifiers/s");
        await schema.ExecAsync($"VACUUM ANALYZE {schema.Name}.handles");

        await MeasureBatchesAsync(store, data);

        var pgbench = await RunPgbenchAsync(schema);
        Report($"pgbench -S style baseline (-M prepared -c {Concurrency} -j 2 -T {ReadDuration.TotalSeconds}): {pgbench}");
        var (ops, p50, p99) = await MeasureGetsAsync(store);
        Report($"store GetAsync, {Concurrency} concurrent tasks, {ReadDuration.TotalSeconds} s: {ops:N0} reads/s, p50 {p50:F3} ms, p99 {p99:F3} ms");
    }

    private async Task MeasureBatchesAsync(PostgresRecordStore store, byte[] data)
    {
        const int batches = 25, size = 2000;
        var sw = Stopwatch.StartNew();
        for (var b = 0; b < batches; b++)
        {
            var batch = Enumerable.Range(0, size)
                .Select(i => new RecordWrite($"{P}/batch-{b}-{i}", $"{P}/batch-{b}-{i}", P, 0, data, ChangeKind.Create, "perf")).ToArray();
            var results = await store.WriteBatchAsync(batch);
            Assert.All(results, r => Assert.True(r.Committed));
        }
        sw.Stop();
        Report($"WriteBatchAsync creates, {batches} x {size}: {batches * size / sw.Elapsed.TotalSeconds:N0} identifiers/s ({sw.Elapsed.TotalMilliseconds / batches:F0} ms per batch)");

        sw.Restart();
        for (var b = 0; b < batches; b++)
        {
            var batch = Enumerable.Range(b * size, size)
                .Select(i => new RecordWrite($"{P}/perf-{i}", $"{P}/perf-{i}", P, 1, data, ChangeKind.Update, "perf")).ToArray();
            var results = await store.WriteBatchAsync(batch);
            Assert.All(results, r => Assert.True(r.Committed));
        }
        sw.Stop();
        Report($"WriteBatchAsync updates (compare-and-set), {batches} x {size}: {batches * size / sw.Elapsed.TotalSeconds:N0} identifiers/s ({sw.Elapsed.TotalMilliseconds / batches:F0} ms per batch)");
    }

    private static Task<(double PerSecond, double P50, double P99)> MeasureGetsAsync(PostgresRecordStore store)
        => MeasureAsync(async key => await store.GetAsync(key) is not null);

    private static async Task<(double PerSecond, double P50, double P99)> MeasureAsync(Func<string, Task<bool>> get)
    {
        // Warm the pool and the prepared statements first.
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(i => get($"{P}/perf-{i}")));
        var deadline = Stopwatch.GetTimestamp() + (long)(ReadDuration.TotalSeconds * Stopwatch.Frequency);
        var perTask = await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<long>(200_000);
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                if (start >= deadline)
                    return latencies;
                var found = await get($"{P}/perf-{Random.Shared.Next(Identifiers)}");
                latencies.Add(Stopwatch.GetTimestamp() - start);
                if (!found)
                    throw new InvalidOperationException("a loaded identifier is missing");
            }
        })));
        var all = perTask.SelectMany(l => l).Order().ToArray();
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        return (all.Length / ReadDuration.TotalSeconds, Ms(all[all.Length / 2]), Ms(all[(int)(all.Length * 0.99)]));
    }

    private static async Task<string> RunPgbenchAsync(TestSchema schema)
    {
        var csb = new NpgsqlConnectionStringBuilder(schema.ConnectionString);
        var script = Path.Combine(Path.GetTempPath(), $"idnode-pgbench-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script, $"""
            \set k random(0, {Identifiers - 1})
            SELECT handle, version, data, updated_at FROM handles WHERE key = '{P}/perf-' || :k;

            """);
        try
        {
            var bin = PostgresControl.BinDirectory is { } dir ? Path.Combine(dir, "pgbench") : "pgbench";
            var psi = new ProcessStartInfo(bin)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "-h", csb.Host!, "-p", csb.Port.ToString(CultureInfo.InvariantCulture), "-U", csb.Username ?? "postgres",
                         "-n", "-M", "prepared", "-c", Concurrency.ToString(CultureInfo.InvariantCulture), "-j", "2",
                         "-T", ReadDuration.TotalSeconds.ToString(CultureInfo.InvariantCulture), "-f", script, csb.Database ?? "postgres" })
                psi.ArgumentList.Add(a);
            psi.Environment["PGOPTIONS"] = $"-c search_path={schema.Name}";
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var text = await stdout;
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"pgbench failed: {await stderr}{text}");
            var tps = Regex.Match(text, @"tps = ([\d.]+) \(without initial connection time\)").Groups[1].Value;
            var latency = Regex.Match(text, @"latency average = ([\d.]+) ms").Groups[1].Value;
            return $"{double.Parse(tps, CultureInfo.InvariantCulture):N0} selects/s, latency average {latency} ms";
        }
        finally
        {
            File.Delete(script);
        }
    }

    private void Report(string line)
    {
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("IDNODE_PERF_OUT") is { Length: > 0 } file)
            File.AppendAllText(file, line + Environment.NewLine);
    }
}
