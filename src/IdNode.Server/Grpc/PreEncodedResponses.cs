using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;
using IdNode.Grpc.V1;

namespace IdNode.Server.Grpc;

/// <summary>
/// Resolve answers that leave as bytes encoded once. The generated marshaller measures and encodes
/// every message on every call (~20 % of the gRPC handler's CPU on a hot Resolve); a cached
/// answer never changes, so its bytes are computed when it is built and written as they are.
/// Any other <see cref="ResolveResponse"/> (filtered, private values) is encoded as usual.
/// </summary>
public static class PreEncodedResponses
{
    // Keyed by the message object: the bytes live exactly as long as the cached answer that owns them.
    private static readonly ConditionalWeakTable<ResolveResponse, byte[]> Encoded = new();

    public static readonly Marshaller<ResolveResponse> Marshaller = Marshallers.Create<ResolveResponse>(Serialize, Deserialize);

    /// <summary>
    /// Records the wire bytes of <paramref name="response"/> and returns it. The message must not be
    /// changed afterwards (the bytes would no longer match it); cached answers are never changed.
    /// </summary>
    public static ResolveResponse Encode(ResolveResponse response)
    {
        Encoded.AddOrUpdate(response, response.ToByteArray());
        return response;
    }

    /// <summary>The bytes recorded by <see cref="Encode"/>, or null for a message encoded per call.</summary>
    public static byte[]? EncodedBytes(ResolveResponse response) => Encoded.TryGetValue(response, out var bytes) ? bytes : null;

    private static void Serialize(ResolveResponse response, SerializationContext context)
    {
        if (Encoded.TryGetValue(response, out var bytes))
        {
            context.Complete(bytes);
            return;
        }
        // What the generated marshaller does.
        context.SetPayloadLength(response.CalculateSize());
        response.WriteTo(context.GetBufferWriter());
        context.Complete();
    }

    private static ResolveResponse Deserialize(DeserializationContext context)
        => ResolveResponse.Parser.ParseFrom(context.PayloadAsReadOnlySequence());

    /// <summary>
    /// Passes the generated binding through unchanged except for Resolve, whose response marshaller
    /// becomes <see cref="Marshaller"/>: the method's name, type and request side stay the contract's.
    /// </summary>
    internal sealed class Binder(ServiceBinderBase inner) : ServiceBinderBase
    {
        private static readonly string ResolveMethod = IdNode.Grpc.V1.Resolver.Descriptor.FindMethodByName("Resolve").Name;

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            if (method.Name == ResolveMethod && Marshaller is Marshaller<TResponse> preEncoded)
                method = new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, method.RequestMarshaller, preEncoded);
            inner.AddMethod(method, handler);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
            => inner.AddMethod(method, handler);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
            => inner.AddMethod(method, handler);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
            => inner.AddMethod(method, handler);
    }
}
