namespace IdNode.LoadTests.Scenarios;

/// <summary>
/// One kind of traffic. Set-up (registering identifiers through the node's HTTP API) is part of the
/// scenario so a run needs nothing but a node and its admin secret.
/// </summary>
public abstract class Scenario
{
    public abstract string Name { get; }

    /// <summary>Null when the scenario can run; otherwise why it is skipped (reported, not an error).</summary>
    public virtual string? SkipReason => null;

    /// <summary>Identifiers a request carries (1 for HTTP; the batch size for a batch call).</summary>
    public virtual int ItemsPerRequest => 1;

    public virtual Task SetupAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Sends request number <paramref name="sequence"/>; true when the node answered as expected.</summary>
    public abstract ValueTask<bool> SendAsync(long sequence, CancellationToken cancellationToken);

    public static Scenario Create(LoadOptions options, LoadClient client) => options.Scenario switch
    {
        "http-hot" => new HttpHotScenario(options, client),
        "http-warm" => new HttpSpreadScenario(options, client, warm: true),
        "http-cold" => new HttpSpreadScenario(options, client, warm: false),
        "batch-register" => new BatchRegisterScenario(options, client),
        "mix" => new MixScenario(options, client),
        "grpc-hot" => new GrpcHotScenario(options, client),
        "grpc-batch" => new GrpcBatchScenario(options),
        "copy-floor" => new CopyFloorScenario(options),
        _ => throw new ArgumentException($"Unknown scenario '{options.Scenario}'. {LoadOptions.Usage}"),
    };
}
