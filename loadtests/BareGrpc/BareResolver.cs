using Grpc.Core;

namespace BareGrpc;

/// <summary>
/// idnode.v1.Resolver/Resolve without a resolver and without protobuf: the request is not parsed
/// and the answer is one message pre-serialised in memory, written as it is. Bound by hand
/// (<see cref="BindService"/>) with pass-through marshallers instead of the generated base class,
/// so nothing is serialised per call; the method path is the contract's, so clients of the real
/// service call it unchanged.
/// </summary>
public sealed class BareResolver(byte[] message) : BareResolverBase
{
    private readonly Task<byte[]> _answer = Task.FromResult(message);

    public override Task<byte[]> Resolve(object request, ServerCallContext context) => _answer;

    /// <summary>The message of a captured gRPC response frame (5-byte prefix: compressed flag + big-endian length).</summary>
    public static byte[] Load(string path)
    {
        var frame = File.ReadAllBytes(path);
        if (frame.Length < 5 || frame[0] != 0)
            throw new InvalidDataException($"{path}: not an uncompressed gRPC frame");
        var length = (frame[1] << 24) | (frame[2] << 16) | (frame[3] << 8) | frame[4];
        if (length != frame.Length - 5)
            throw new InvalidDataException($"{path}: one whole frame expected (prefix says {length} B, file has {frame.Length - 5} B)");
        return frame[5..];
    }
}

/// <summary>
/// What the generated ResolverBase is to a real service: Grpc.AspNetCore binds a service by the
/// attribute on its base type and calls the override of the base's virtual method per call.
/// </summary>
[BindServiceMethod(typeof(BareResolverBase), nameof(BindService))]
public abstract class BareResolverBase
{
    private static readonly object NotDecoded = new();

    // The method path comes from the contract compiled from protos/, so a renamed service or method breaks this baseline too.
    private static readonly Method<object, byte[]> ResolveMethod = new(
        MethodType.Unary,
        IdNode.Grpc.V1.Resolver.Descriptor.FullName,
        IdNode.Grpc.V1.Resolver.Descriptor.FindMethodByName("Resolve").Name,
        // The request is read off the stream by the framework either way; it is never decoded here.
        Marshallers.Create(static (object _, SerializationContext context) => context.Complete([]), static (DeserializationContext _) => NotDecoded),
        Marshallers.Create(static (byte[] bytes, SerializationContext context) => context.Complete(bytes), static (DeserializationContext context) => context.PayloadAsNewBuffer()));

    public abstract Task<byte[]> Resolve(object request, ServerCallContext context);

    public static void BindService(ServiceBinderBase binder, BareResolverBase? service)
        => binder.AddMethod(ResolveMethod, service is null ? null : new UnaryServerMethod<object, byte[]>(service.Resolve));
}
