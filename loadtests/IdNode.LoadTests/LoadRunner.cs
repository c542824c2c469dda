using System.Diagnostics;
using HdrHistogram;
using IdNode.LoadTests.Scenarios;

namespace IdNode.LoadTests;

/// <summary>
/// Drives a scenario. Closed loop: N workers, each sends its next request when the previous one
/// returns (what wrk does). Open loop: requests are due at a fixed rate and each latency is taken
/// from the moment the request was due, not when it was sent, so a stalled server shows up as
/// latency instead of silently lowering the rate (coordinated omission).
/// </summary>
public static class LoadRunner
{
    // Microseconds, up to one minute, 3 significant digits: what HdrHistogram needs to keep p99.9 exact to 0.1 %.
    private const long HighestMicros = 60_000_000;

    public static async Task<RunResult> RunAsync(Scenario scenario, LoadOptions options, CancellationToken cancellationToken)
    {
        if (options.Warmup > 0)
            await ClosedAsync(scenario, options.Connections, options.Warmup, cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        var workers = options.Mode == "open"
            ? await OpenAsync(scenario, options.Connections, options.Duration, options.Rate, cancellationToken).ConfigureAwait(false)
            : await ClosedAsync(scenario, options.Connections, options.Duration, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;

        var total = new LongHistogram(HighestMicros, 3);
        var service = new LongHistogram(HighestMicros, 3);
        long errors = 0, lagTicks = 0;
        foreach (var w in workers)
        {
            total.Add(w.Histogram);
            service.Add(w.Service);
            errors += w.Errors;
            lagTicks += w.SendLagTicks;
        }
        var count = total.TotalCount;
        return new RunResult(scenario.Name, options.Mode, options.Connections, count, errors, count / elapsed, count * scenario.ItemsPerRequest / elapsed,
            Ms(total, 50), Ms(total, 90), Ms(total, 99), Ms(total, 99.9), total.GetMaxValue() / 1000.0,
            count == 0 ? 0 : lagTicks * 1000.0 / Stopwatch.Frequency / count, Ms(service, 99));
    }

    private static double Ms(HistogramBase h, double percentile) => h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(percentile) / 1000.0;

    private static async Task<Worker[]> ClosedAsync(Scenario scenario, int connections, double seconds, CancellationToken cancellationToken)
    {
        var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        long sequence = 0;
        var workers = Enumerable.Range(0, connections).Select(_ => new Worker()).ToArray();
        await Task.WhenAll(workers.Select(w => Task.Run(async () =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= end)
                    break;
                await w.SendAsync(scenario, Interlocked.Increment(ref sequence), t0, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken))).ConfigureAwait(false);
        return workers;
    }

    private static async Task<Worker[]> OpenAsync(Scenario scenario, int connections, double seconds, double rate, CancellationToken cancellationToken)
    {
        var interval = Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 100;
        var end = start + (long)(seconds * Stopwatch.Frequency);
        long next = -1;
        var workers = Enumerable.Range(0, connections).Select(_ => new Worker()).ToArray();
        await Task.WhenAll(workers.Select(w => Task.Run(async () =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                var due = start + (long)(i * interval);
                if (due >= end)
                    break;
                // Timers are ~1 ms coarse; sleeping rounds up, so a request is sent at or just after its due
                // time, never early. The lateness is measured (SendLagTicks) and reported as client health.
                var wait = due - Stopwatch.GetTimestamp();
                if (wait > 0)
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait * 1000.0 / Stopwatch.Frequency)), cancellationToken).ConfigureAwait(false);
                w.SendLagTicks += Stopwatch.GetTimestamp() - due;
                await w.SendAsync(scenario, i, due, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken))).ConfigureAwait(false);
        return workers;
    }

    private sealed class Worker
    {
        public readonly LongHistogram Histogram = new(HighestMicros, 3);

        /// <summary>From the actual send: equals <see cref="Histogram"/> in the closed loop; in the open loop it leaves out client lateness and queueing.</summary>
        public readonly LongHistogram Service = new(HighestMicros, 3);
        public long Errors;
        public long SendLagTicks;

        public async Task SendAsync(Scenario scenario, long sequence, long from, CancellationToken cancellationToken)
        {
            var sent = Stopwatch.GetTimestamp();
            bool ok;
            try
            {
                ok = await scenario.SendAsync(sequence, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                ok = false;
            }
            var done = Stopwatch.GetTimestamp();
            Histogram.RecordValue(Math.Clamp((done - from) * 1_000_000 / Stopwatch.Frequency, 1, HighestMicros));
            Service.RecordValue(Math.Clamp((done - sent) * 1_000_000 / Stopwatch.Frequency, 1, HighestMicros));
            if (!ok)
                Errors++;
        }
    }
}
