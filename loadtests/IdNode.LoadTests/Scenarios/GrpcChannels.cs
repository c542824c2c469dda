using Grpc.Net.Client;

namespace IdNode.LoadTests.Scenarios;

/// <summary>One gRPC channel over its own SocketsHttpHandler (so its own HTTP/2 connection), tuned for load.</summary>
internal static class GrpcChannels
{
    public static GrpcChannel Create(Uri target, int maxMessageBytes = 4 * 1024 * 1024)
    {
        var handler = Connections.Handler();
        handler.EnableMultipleHttp2Connections = true;
        return GrpcChannel.ForAddress(target, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = maxMessageBytes,
            MaxSendMessageSize = maxMessageBytes,
        });
    }
}
