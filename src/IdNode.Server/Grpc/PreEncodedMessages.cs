using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;

namespace IdNode.Server.Grpc;

/// <summary>
/// Answers that leave as bytes encoded once. The generated marshaller measures and encodes every
/// message on every call (~20 % of the gRPC handler's CPU on a hot Resolve); a cached answer never
/// changes, so its bytes are computed when it is built and written as they are. Any other message
/// of the type (a filtered answer, one with private values) is encoded per call as usual.
/// </summary>
public static class PreEncodedMessages<TMessage> where TMessage : class, IMessage<TMessage>, IBufferMessage, new()
{
    // Keyed by the message object: the bytes live exactly as long as the cached answer that owns them.
    private static readonly ConditionalWeakTable<TMessage, byte[]> Encoded = new();

    private static readonly MessageParser<TMessage> Parser = new(static () => new TMessage());

    public static readonly Marshaller<TMessage> Marshaller = Marshallers.Create<TMessage>(Serialize, Deserialize);

    /// <summary>
    /// Records the wire bytes of <paramref name="message"/> and returns it. The message must not be
    /// changed afterwards (the bytes would no longer match it); cached answers are never changed.
    /// </summary>
    public static TMessage Encode(TMessage message)
    {
        Encoded.AddOrUpdate(message, message.ToByteArray());
        return message;
    }

    /// <summary>The bytes recorded by <see cref="Encode"/>, or null for a message encoded per call.</summary>
    public static byte[]? EncodedBytes(TMessage message) => Encoded.TryGetValue(message, out var bytes) ? bytes : null;

    private static void Serialize(TMessage message, SerializationContext context)
    {
        if (Encoded.TryGetValue(message, out var bytes))
        {
            context.Complete(bytes);
            return;
        }
        // What the generated marshaller does.
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }

    private static TMessage Deserialize(DeserializationContext context) => Parser.ParseFrom(context.PayloadAsReadOnlySequence());

    /// <summary>
    /// Passes a generated binding through unchanged except for the unary method named
    /// <paramref name="methodName"/>, whose response marshaller becomes <see cref="Marshaller"/>:
    /// the method's name, type and request side stay the contract's.
    /// </summary>
    public sealed class Binder(ServiceBinderBase inner, string methodName) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            if (method.Name == methodName && Marshaller is Marshaller<TResponse> preEncoded)
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
