namespace IdNode.LoadTests.Scenarios;

/// <summary>
/// GETs spread uniformly over many identifiers. Warm: every identifier is resolved once before the
/// measurement, so each request is an L1 hit on a different entry. Cold: no warming; against a node
/// with L1 off every request is a store read.
/// Warm against a node with IdNode__Cache__Kind=redis and L1 off is the L2 (Redis) hit path: the warming
/// pass fills Redis (run.sh, production mode, "gen warm (L2 only, L1 off)").
/// </summary>
public sealed class HttpSpreadScenario(LoadOptions options, LoadClient client, bool warm) : Scenario
{
    private readonly Uri[] _uris = Enumerable.Range(0, options.Identifiers).Select(i => client.HandleUri(Records.Spread(options.Prefix, i))).ToArray();

    public override string Name => warm ? "http-warm" : "http-cold";

    public override async Task SetupAsync(CancellationToken cancellationToken)
    {
        if (!options.SkipSetup)
        {
            var handles = Enumerable.Range(0, options.Identifiers).Select(i => Records.Spread(options.Prefix, i)).ToArray();
            await client.RegisterAsync(handles, i => Records.Body(handles[i], 0), options.Connections, cancellationToken).ConfigureAwait(false);
        }
        if (!warm)
            return;
        var missing = 0;
        await Parallel.ForAsync(0, _uris.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Connections, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            if (!await client.GetAsync(_uris[i], ct).ConfigureAwait(false))
                Interlocked.Increment(ref missing);
        }).ConfigureAwait(false);
        if (missing > 0)
            throw new InvalidOperationException($"{missing} of {_uris.Length} identifiers do not resolve");
    }

    public override ValueTask<bool> SendAsync(long sequence, CancellationToken cancellationToken)
        => client.GetAsync(_uris[Random.Shared.Next(_uris.Length)], cancellationToken);
}
