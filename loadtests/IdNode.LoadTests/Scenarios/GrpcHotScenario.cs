using Grpc.Core;
using Grpc.Net.Client;
using IdNode.Grpc.V1;

namespace IdNode.LoadTests.Scenarios;

/// <summary>
/// Resolver.Resolve of one identifier over and over on the node's h2c endpoint: the gRPC hot path,
/// compared with loadtests/BareGrpc (same contract, a fixed answer from memory). Callers share
/// <see cref="LoadOptions.GrpcConnections"/> channels round-robin; each channel's handler may open
/// further HTTP/2 connections once a connection's stream limit is reached, so callers never queue
/// inside the client for a stream.
/// </summary>
public sealed class GrpcHotScenario : Scenario, IDisposable
{
    private readonly LoadOptions _options;
    private readonly LoadClient _http;
    private readonly GrpcChannel[] _channels;
    private readonly Resolver.ResolverClient[] _clients;
    private readonly ResolveRequest _request;

    public GrpcHotScenario(LoadOptions options, LoadClient http)
    {
        _options = options;
        _http = http;
        _request = new ResolveRequest { Handle = options.HotHandle };
        _channels = new GrpcChannel[options.GrpcConnections];
        _clients = new Resolver.ResolverClient[options.GrpcConnections];
        for (var i = 0; i < _channels.Length; i++)
        {
            _channels[i] = GrpcChannels.Create(options.GrpcTarget);
            _clients[i] = new Resolver.ResolverClient(_channels[i]);
        }
    }

    public override string Name => "grpc-hot";

    public override async Task SetupAsync(CancellationToken cancellationToken)
    {
        if (!_options.SkipSetup)
            await _http.RegisterAsync([_options.HotHandle], _ => Records.Body(_options.HotHandle, 0), 1, cancellationToken).ConfigureAwait(false);
        // Opens every channel's connection before the clock starts, and fails loudly when the target does not answer.
        foreach (var client in _clients)
        {
            try
            {
                var response = await client.ResolveAsync(_request, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (response.Values.Count == 0)
                    throw new InvalidOperationException($"gRPC Resolve of {_options.HotHandle} on {_options.GrpcTarget} returned no values");
            }
            catch (RpcException e)
            {
                throw new InvalidOperationException($"gRPC Resolve of {_options.HotHandle} on {_options.GrpcTarget} failed: {e.Status}", e);
            }
        }
    }

    public override async ValueTask<bool> SendAsync(long sequence, CancellationToken cancellationToken)
    {
        var client = _clients[(int)(sequence % _clients.Length)];
        try
        {
            var response = await client.ResolveAsync(_request, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Values.Count > 0;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        foreach (var channel in _channels)
            channel.Dispose();
    }
}
