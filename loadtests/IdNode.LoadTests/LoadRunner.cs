using System.Diagnostics;
using System.Runtime.InteropServices;
using HdrHistogram;
using IdNode.LoadTests.Scenarios;

namespace IdNode.LoadTests;

/// <summary>
/// Drives a scenario. Closed loop: N workers, each sends its next request when the previous one
/// returns (what wrk does). Open loop: requests are due at a fixed rate and each latency is taken
/// from the moment the request was due, not when it was sent, so a stalled server shows up as
/// latency instead of silently lowering the rate (coordinated omission).
/// </summary>
public static partial class LoadRunner
{
    // Microseconds, up to one minute, 3 significant digits: what HdrHistogram needs to keep p99.9 exact to 0.1 %.
    private const long HighestMicros = 60_000_000;

    public static async Task<RunResult> RunAsync(Scenario scenario, LoadOptions options, CancellationToken cancellationToken)
    {
        if (options.Warmup > 0)
            await ClosedAsync(scenario, options.Connections, options.Warmup, cancellationToken).ConfigureAwait(false);
        // The generator's own GC pauses stall its sends and receives alike; reported so a tail that
        // is the client's own shows up as such.
        var gcBefore = GC.CollectionCount(0);
        var pauseBefore = GC.GetTotalPauseDuration();
        var started = Stopwatch.GetTimestamp();
        var workers = options.Mode == "open"
            ? await OpenAsync(scenario, options.Duration, options.Rate, cancellationToken).ConfigureAwait(false)
            : await ClosedAsync(scenario, options.Connections, options.Duration, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var gcs = GC.CollectionCount(0) - gcBefore;
        var pause = (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds;

        var total = new LongHistogram(HighestMicros, 3);
        var service = new LongHistogram(HighestMicros, 3);
        var lag = new LongHistogram(HighestMicros, 3);
        long errors = 0;
        foreach (var w in workers)
        {
            total.Add(w.Histogram);
            service.Add(w.Service);
            lag.Add(w.SendLag);
            errors += w.Errors;
        }
        var count = total.TotalCount;
        return new RunResult(scenario.Name, options.Mode, options.Connections, count, errors, count / elapsed, count * scenario.ItemsPerRequest / elapsed,
            Ms(total, 50), Ms(total, 90), Ms(total, 99), Ms(total, 99.9), total.GetMaxValue() / 1000.0,
            lag.TotalCount == 0 ? 0 : lag.GetMean() / 1000.0, Ms(service, 99))
        {
            ServiceP50Ms = Ms(service, 50),
            ServiceP999Ms = Ms(service, 99.9),
            SendLagP99Ms = Ms(lag, 99),
            GeneratorGcs = gcs,
            GeneratorGcPauseMs = pause,
        };
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
                var sequenceNumber = Interlocked.Increment(ref sequence);
                w.Record(await Worker.SendAsync(scenario, sequenceNumber, cancellationToken).ConfigureAwait(false), t0, t0);
            }
        }, cancellationToken))).ConfigureAwait(false);
        return workers;
    }

    /// <summary>
    /// One dedicated pacer thread computes each request's due time, sleeps with microsecond
    /// resolution until it, and hands the request to the thread pool; nothing bounds the
    /// requests in flight except the client's connections (a request waiting for one is
    /// the server being slow, and counts from its due time). The earlier design — N workers, each
    /// awaiting Task.Delay rounded up to whole milliseconds — sent every request up to ~1 ms late
    /// (timer granularity) and capped the outstanding requests at N, both of which showed up
    /// as server latency measured from the due time.
    /// </summary>
    private static async Task<Worker[]> OpenAsync(Scenario scenario, double seconds, double rate, CancellationToken cancellationToken)
    {
        var interval = Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 100;
        var end = start + (long)(seconds * Stopwatch.Frequency);
        // One histogram set per pool thread (HdrHistogram is not thread-safe); merged at the end.
        using var workers = new ThreadLocal<Worker>(() => new Worker(), trackAllValues: true);
        long outstanding = 1;
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        void Complete()
        {
            if (Interlocked.Decrement(ref outstanding) == 0)
                finished.TrySetResult();
        }

        // async void: fire and forget from the pacer. Nothing may escape it (that would end the
        // process), so anything unexpected counts as a failed request.
        async void Send(long sequence, long due)
        {
            var sent = Stopwatch.GetTimestamp();
            bool ok;
            try
            {
                ok = await Worker.SendAsync(scenario, sequence, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                ok = false;
            }
            try
            {
                var w = workers.Value!;
                w.SendLag.RecordValue(Math.Clamp((sent - due) * 1_000_000 / Stopwatch.Frequency, 0, HighestMicros));
                w.Record(ok, due, sent);
            }
            finally
            {
                Complete();
            }
        }

        var pacer = new Thread(() =>
        {
            for (long i = 0; !cancellationToken.IsCancellationRequested; i++)
            {
                var due = start + (long)(i * interval);
                if (due >= end)
                    break;
                SleepUntil(due);
                Interlocked.Increment(ref outstanding);
                var sequence = i;
                ThreadPool.UnsafeQueueUserWorkItem(_ => Send(sequence, due), null);
            }
            Complete();
        })
        { IsBackground = true, Name = "open-loop pacer", Priority = ThreadPriority.Highest };
        pacer.Start();
        await finished.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. workers.Values];
    }

    private static void SleepUntil(long due)
    {
        while (true)
        {
            var micros = (due - Stopwatch.GetTimestamp()) * 1_000_000 / Stopwatch.Frequency;
            if (micros <= 0)
                return;
            // The kernel's timer slack (50 µs by default) bounds how late this wakes; below that, yielding is as good as sleeping.
            if (micros < 50 || !OperatingSystem.IsLinux())
            {
                if (micros >= 1000)
                    Thread.Sleep(1);
                else
                    Thread.Yield();
                continue;
            }
            _ = usleep((uint)Math.Min(micros, 100_000));
        }
    }

    [DllImport("libc", SetLastError = false)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code enabled for the project; one blittable call does not justify it.
    private static extern int usleep(uint microseconds);
#pragma warning restore SYSLIB1054

    private sealed class Worker
    {
        public readonly LongHistogram Histogram = new(HighestMicros, 3);

        /// <summary>From the actual send: equals <see cref="Histogram"/> in the closed loop; in the open loop it leaves out client lateness and queueing.</summary>
        public readonly LongHistogram Service = new(HighestMicros, 3);

        /// <summary>Open loop: how late after its due time each request was handed to the client (the generator's own health).</summary>
        public readonly LongHistogram SendLag = new(HighestMicros, 3);
        public long Errors;

        public static async ValueTask<bool> SendAsync(Scenario scenario, long sequence, CancellationToken cancellationToken)
        {
            try
            {
                return await scenario.SendAsync(sequence, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                return false;
            }
        }

        public void Record(bool ok, long from, long sent)
        {
            var done = Stopwatch.GetTimestamp();
            Histogram.RecordValue(Math.Clamp((done - from) * 1_000_000 / Stopwatch.Frequency, 1, HighestMicros));
            Service.RecordValue(Math.Clamp((done - sent) * 1_000_000 / Stopwatch.Frequency, 1, HighestMicros));
            if (!ok)
                Errors++;
        }
    }
}
