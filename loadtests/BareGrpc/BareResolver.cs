using Grpc.Core;
using IdNode.Grpc.V1;

namespace BareGrpc;

/// <summary>Resolve without a resolver: returns one prebuilt message, whatever is asked.</summary>
public sealed class BareResolver(ResolveResponse response) : Resolver.ResolverBase
{
    public override Task<ResolveResponse> Resolve(ResolveRequest request, ServerCallContext context) => Task.FromResult(response);

    public static ResolveResponse Load(string path)
    {
        var frame = File.ReadAllBytes(path);
        return ResolveResponse.Parser.ParseFrom(frame, 5, frame.Length - 5);
    }

    public static ResolveResponse Sample() => new()
    {
        Handle = "88.999.1/hot",
        Version = 1,
        Values =
        {
            new HandleValue { Index = 1, Type = "URL", Data = new ValueData { Text = "https://example.cn/p/hot" }, Ttl = 86400, Timestamp = 1_795_000_000, Permissions = 14 },
        },
    };
}
