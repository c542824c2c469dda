using System.Globalization;

namespace IdNode.LoadTests;

/// <summary>Command line of the generator; every option has a default that run.sh relies on.</summary>
public sealed class LoadOptions
{
    /// <summary>Base address of the node's HTTP endpoint (loopback only).</summary>
    public Uri Target { get; private set; } = new("http://127.0.0.1:47300/");

    /// <summary>http-hot | http-warm | http-cold | batch-register | mix | grpc-hot | grpc-batch | copy-floor.</summary>
    public string Scenario { get; private set; } = "http-hot";

    /// <summary>closed (N connections, next request when the previous returns) or open (fixed arrival rate).</summary>
    public string Mode { get; private set; } = "closed";

    public int Connections { get; private set; } = 64;

    /// <summary>Measured seconds.</summary>
    public double Duration { get; private set; } = 10;

    /// <summary>Unmeasured seconds before the measurement (JIT, connection set-up, cache fill).</summary>
    public double Warmup { get; private set; } = 2;

    /// <summary>Open loop: requests per second across all connections.</summary>
    public double Rate { get; private set; } = 1000;

    /// <summary>How many identifiers the spread scenarios (warm, cold, mix) use.</summary>
    public int Identifiers { get; private set; } = 10_000;

    public string Prefix { get; private set; } = "88.999";

    public string AdminSecret { get; private set; } = "";

    /// <summary>Hot identifier (registered by the scenario's set-up when missing).</summary>
    public string HotHandle { get; private set; } = "";

    /// <summary>
    /// The node's HTTP/2 cleartext (h2c) endpoint for grpc-hot; defaults to the HTTP target's port + 1
    /// (run.sh's layout: Kestrel's Http endpoint is HTTP/1.1 only without TLS, the Grpc endpoint is h2c).
    /// </summary>
    public Uri GrpcTarget { get; private set; } = new("http://127.0.0.1:47301/");

    /// <summary>
    /// grpc-hot: how many GrpcChannels (each its own SocketsHttpHandler, so its own HTTP/2
    /// connection) the callers are spread over. One channel multiplexes all callers as streams on
    /// one connection and opens more only past the server's stream limit (100 in Kestrel).
    /// </summary>
    public int GrpcConnections { get; private set; } = 1;

    /// <summary>
    /// http (HttpClient, the default) or raw (http-hot only: one thread, raw sockets, pre-built
    /// request bytes, no allocation per request; see <see cref="RawHttpLoop"/>).
    /// </summary>
    public string Client { get; private set; } = "http";

    /// <summary>
    /// --client raw only: busy-poll (epoll with timeout 0, never sleep) instead of sleeping until
    /// the next due time or response. Only for a client pinned to a core of its own: it takes
    /// that core whole, so the client's own wake-ups from a halted vCPU leave the measurement.
    /// </summary>
    public bool Spin { get; private set; }

    /// <summary>grpc-batch and copy-floor: identifiers per call (the node takes at most 2000).</summary>
    public int BatchSize { get; private set; } = 2000;

    /// <summary>copy-floor: connection string of the node's PostgreSQL (loopback only).</summary>
    public string Postgres { get; private set; } = "";

    /// <summary>Skip registering identifiers (they were registered by an earlier run against the same data).</summary>
    public bool SkipSetup { get; private set; }

    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions();
        var grpcTargetSet = false;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--target": o.Target = new Uri(Value().TrimEnd('/') + "/"); break;
                case "--scenario": o.Scenario = Value(); break;
                case "--mode": o.Mode = Value(); break;
                case "--connections": o.Connections = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--duration": o.Duration = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--warmup": o.Warmup = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--rate": o.Rate = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--identifiers": o.Identifiers = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--prefix": o.Prefix = Value(); break;
                case "--admin-secret": o.AdminSecret = Value(); break;
                case "--hot": o.HotHandle = Value(); break;
                case "--skip-setup": o.SkipSetup = true; break;
                case "--client": o.Client = Value(); break;
                case "--spin": o.Spin = true; break;
                case "--grpc-target": o.GrpcTarget = new Uri(Value().TrimEnd('/') + "/"); grpcTargetSet = true; break;
                case "--grpc-connections": o.GrpcConnections = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--batch-size": o.BatchSize = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--pg": o.Postgres = Value(); break;
                default: throw new ArgumentException($"Unknown option {name}");
            }
        }
        if (o.Mode is not ("closed" or "open"))
            throw new ArgumentException("--mode must be closed or open");
        if (o.Client is not ("http" or "raw"))
            throw new ArgumentException("--client must be http or raw");
        if (o.Client == "raw" && o.Scenario != "http-hot")
            throw new ArgumentException("--client raw runs the http-hot scenario only");
        if (o.Spin && o.Client != "raw")
            throw new ArgumentException("--spin needs --client raw");
        if (o.Connections < 1 || o.Duration <= 0 || o.Rate <= 0 || o.Identifiers < 1)
            throw new ArgumentException("--connections, --duration, --rate and --identifiers must be positive");
        if (!grpcTargetSet)
            o.GrpcTarget = new UriBuilder(o.Target) { Port = o.Target.Port + 1 }.Uri;
        if (o.GrpcConnections < 1 || o.BatchSize < 1)
            throw new ArgumentException("--grpc-connections and --batch-size must be positive");
        if (!o.Target.IsLoopback || !o.GrpcTarget.IsLoopback)
            throw new ArgumentException("--target and --grpc-target must be loopback addresses: load tests never leave the machine");
        if (o.HotHandle.Length == 0)
            o.HotHandle = o.Prefix + "/LOADTEST-HOT";
        return o;
    }

    public const string Usage = """
        IdNode.LoadTests --scenario <http-hot|http-warm|http-cold|batch-register|mix|grpc-hot|grpc-batch|copy-floor>
          [--target http://127.0.0.1:47300] [--mode closed|open] [--connections 64] [--duration 10]
          [--warmup 2] [--rate 1000 (open loop, req/s)] [--identifiers 10000] [--prefix 88.999]
          [--admin-secret S (needed to register)] [--hot 88.999/LOADTEST-HOT] [--skip-setup]
          [--grpc-target http://127.0.0.1:47301 (h2c; default: --target's port + 1)] [--grpc-connections 1]
          [--client http|raw (raw: http-hot only, Linux x64)] [--spin (raw only: busy-poll, never sleep)]
          [--batch-size 2000] [--pg "Host=127.0.0.1;Port=..;Username=..;Database=.." (copy-floor)]

        http-cold sends the same traffic as http-warm without warming the cache first; run it
        against a node whose L1 is off (IdNode__Cache__L1MaxBytes=0) to measure store reads.
        grpc-hot calls Resolver.Resolve on --grpc-target with --connections concurrent callers
        (closed loop) spread over --grpc-connections channels; set-up registers over --target.
        grpc-batch calls Registry.BatchRegister on --grpc-target, --batch-size new identifiers per
        call, --connections concurrent callers; copy-floor writes the same number of rows per call
        with binary COPY straight into scratch tables on --pg (the floor for grpc-batch).
        items_per_s in the RESULT line is identifiers/s; latencies are per call.
        Open loop: one pacer thread sends at --rate, unbounded outstanding requests, latency from
        the due time (and, separately, from the actual send).
        --client raw: one thread drives all connections over raw non-blocking sockets (epoll),
        paces the open loop itself, and allocates nothing per request. --spin makes that thread
        poll without ever sleeping; give it a core of its own (taskset), it uses all of it.
        """;
}
