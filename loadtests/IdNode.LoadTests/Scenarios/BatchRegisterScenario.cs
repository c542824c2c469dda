namespace IdNode.LoadTests.Scenarios;

/// <summary>
/// Registration throughput: every request PUTs a new identifier (unique per run) with the admin
/// credential, so each one is a store commit and a cache invalidation. Batches of up to 2000 per
/// call: <see cref="GrpcBatchScenario"/>.
/// </summary>
public sealed class BatchRegisterScenario(LoadOptions options, LoadClient client) : Scenario
{
    private readonly string _run = DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);

    public override string Name => "batch-register";

    public override string? SkipReason => client.CanWrite ? null : "needs --admin-secret";

    public override ValueTask<bool> SendAsync(long sequence, CancellationToken cancellationToken)
    {
        var handle = $"{options.Prefix}/LOADTEST-R{_run}-{sequence:D9}";
        return client.PutAsync(client.HandleUri(handle), Records.Body(handle, sequence), cancellationToken);
    }
}
