namespace IdNode.LoadTests.Scenarios;

/// <summary>GET of one identifier over and over: the L1 hit path, the number compared with the bare baseline.</summary>
public sealed class HttpHotScenario(LoadOptions options, LoadClient client) : Scenario
{
    private readonly Uri _uri = client.HandleUri(options.HotHandle);

    public override string Name => "http-hot";

    public override async Task SetupAsync(CancellationToken cancellationToken)
    {
        if (!options.SkipSetup)
            await client.RegisterAsync([options.HotHandle], _ => Records.Body(options.HotHandle, 0), 1, cancellationToken).ConfigureAwait(false);
        if (!await client.GetAsync(_uri, cancellationToken).ConfigureAwait(false))
            throw new InvalidOperationException($"The hot identifier {options.HotHandle} does not resolve (register it, or drop --skip-setup)");
    }

    public override ValueTask<bool> SendAsync(long sequence, CancellationToken cancellationToken) => client.GetAsync(_uri, cancellationToken);
}
