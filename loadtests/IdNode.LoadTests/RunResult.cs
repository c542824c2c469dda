using System.Globalization;

namespace IdNode.LoadTests;

/// <summary>One measured run. Latencies in milliseconds; <see cref="SendLagMs"/> is how late the open loop sent on average (client health);
/// <see cref="ServiceP99Ms"/> is p99 from the actual send (open loop: without client lateness).</summary>
public sealed record RunResult(string Scenario, string Mode, int Connections, long Requests, long Errors, double RequestsPerSecond,
    double ItemsPerSecond, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs, double SendLagMs, double ServiceP99Ms)
{
    public double ServiceP50Ms { get; init; }

    public double ServiceP999Ms { get; init; }

    /// <summary>Open loop: p99 of how late the generator handed a request to the client after its due time.</summary>
    public double SendLagP99Ms { get; init; }

    /// <summary>Gen-0 (and older) collections in the generator during the measurement, and their total pause.</summary>
    public int GeneratorGcs { get; init; }

    public double GeneratorGcPauseMs { get; init; }

    public string Table() => string.Create(CultureInfo.InvariantCulture,
        $"{Scenario,-15} {Mode,-6} c={Connections,-4} requests={Requests,-9} errors={Errors,-6} req/s={RequestsPerSecond,10:F0}  p50={P50Ms:F3}ms p90={P90Ms:F3}ms p99={P99Ms:F3}ms p99.9={P999Ms:F3}ms max={MaxMs:F3}ms send-lag={SendLagMs:F3}ms (p99 {SendLagP99Ms:F3}ms) client GCs={GeneratorGcs} ({GeneratorGcPauseMs:F1}ms paused)");

    /// <summary>The line run.sh parses: space-separated key=value.</summary>
    public string Machine() => string.Create(CultureInfo.InvariantCulture,
        $"RESULT scenario={Scenario} status=ok mode={Mode} connections={Connections} requests={Requests} errors={Errors} rps={RequestsPerSecond:F0} items_per_s={ItemsPerSecond:F0} p50_ms={P50Ms:F3} p90_ms={P90Ms:F3} p99_ms={P99Ms:F3} p999_ms={P999Ms:F3} max_ms={MaxMs:F3} send_lag_ms={SendLagMs:F3} send_lag_p99_ms={SendLagP99Ms:F3} service_p50_ms={ServiceP50Ms:F3} service_p99_ms={ServiceP99Ms:F3} service_p999_ms={ServiceP999Ms:F3} client_gcs={GeneratorGcs} client_gc_pause_ms={GeneratorGcPauseMs:F1}");
}
