using Grpc.Net.Client;

namespace IdNode.LoadTests.Scenarios;

/// <summary>One gRPC channel over its own SocketsHttpHandler (so its own HTTP/2 connection), tuned for load.</summary>
internal static class GrpcChannels
{
    public static GrpcChannel Create(Uri target, int maxMessageBytes = 4 * 1024 * 1024)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        return GrpcChannel.ForAddress(target, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = maxMessageBytes,
            MaxSendMessageSize = maxMessageBytes,
        });
    }
}
