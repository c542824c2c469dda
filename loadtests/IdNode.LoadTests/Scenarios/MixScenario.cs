namespace IdNode.LoadTests.Scenarios;

/// <summary>
/// 95 % resolves, 5 % writes over the warm identifier set. A write changes the record, so the node
/// invalidates it and the next resolve of that identifier reads the store — the realistic mix.
/// </summary>
public sealed class MixScenario(LoadOptions options, LoadClient client) : Scenario
{
    private readonly HttpSpreadScenario _reads = new(options, client, warm: true);
    private readonly string[] _handles = Enumerable.Range(0, options.Identifiers).Select(i => Records.Spread(options.Prefix, i)).ToArray();

    public override string Name => "mix";

    public override string? SkipReason => client.CanWrite ? null : "needs --admin-secret";

    public override Task SetupAsync(CancellationToken cancellationToken) => _reads.SetupAsync(cancellationToken);

    public override ValueTask<bool> SendAsync(long sequence, CancellationToken cancellationToken)
    {
        if (sequence % 20 != 0)
            return _reads.SendAsync(sequence, cancellationToken);
        var handle = _handles[Random.Shared.Next(_handles.Length)];
        return client.PutAsync(client.HandleUri(handle), Records.Body(handle, sequence), cancellationToken);
    }
}
