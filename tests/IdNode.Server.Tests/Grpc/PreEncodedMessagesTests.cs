using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using IdNode.Grpc.V1;
using IdNode.Server.Grpc;

namespace IdNode.Server.Tests.Grpc;

public sealed class PreEncodedMessagesTests
{
    private static ResolveResponse Sample(string url)
    {
        var response = new ResolveResponse { Handle = "88.999/Sample", Version = 7 };
        response.Values.Add(new HandleValue { Index = 1, Type = "URL", Data = new ValueData { Text = url }, Ttl = 86400, Timestamp = 1700000000 });
        return response;
    }

    [Fact]
    public void An_encoded_answer_is_written_as_its_recorded_bytes()
    {
        var response = PreEncodedMessages<ResolveResponse>.Encode(Sample("https://example.cn/a"));
        var expected = response.ToByteArray();

        var context = new CapturingContext();
        PreEncodedMessages<ResolveResponse>.Marshaller.ContextualSerializer(response, context);

        Assert.True(context.CompletedWithArray);
        Assert.Equal(expected, context.Payload);
        Assert.Equal(expected, PreEncodedMessages<ResolveResponse>.EncodedBytes(response));
    }

    [Fact]
    public void Any_other_answer_is_encoded_per_call()
    {
        var response = Sample("https://example.cn/b");

        var context = new CapturingContext();
        PreEncodedMessages<ResolveResponse>.Marshaller.ContextualSerializer(response, context);

        Assert.False(context.CompletedWithArray);
        Assert.Null(PreEncodedMessages<ResolveResponse>.EncodedBytes(response));
        Assert.Equal(response, ResolveResponse.Parser.ParseFrom(context.Payload));
    }

    [Fact]
    public void The_resolver_binds_only_Resolve_with_the_pre_encoding_marshaller()
    {
        var recorder = new RecordingBinder();
        ResolverService.BindService(recorder, null);

        Assert.Equal(["BatchResolve", "Resolve"], recorder.Serializers.Keys.Order());
        Assert.All(recorder.ServiceNames, name => Assert.Equal("idnode.v1.Resolver", name));
        Assert.True(IsPreEncoding(recorder.Serializers["Resolve"]));
        Assert.False(IsPreEncoding(recorder.Serializers["BatchResolve"]));
    }

    private static bool IsPreEncoding(Delegate serializer)
        => serializer.Method.DeclaringType is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(PreEncodedMessages<>);

    private sealed class RecordingBinder : ServiceBinderBase
    {
        public Dictionary<string, Delegate> Serializers { get; } = [];

        public List<string> ServiceNames { get; } = [];

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            Serializers[method.Name] = method.ResponseMarshaller.ContextualSerializer;
            ServiceNames.Add(method.ServiceName);
        }
    }

    /// <summary>Records what the marshaller hands to the transport, either way it completes.</summary>
    private sealed class CapturingContext : SerializationContext
    {
        private readonly ArrayBufferWriter<byte> _writer = new();

        public byte[] Payload { get; private set; } = [];

        public bool CompletedWithArray { get; private set; }

        public override void Complete(byte[] payload)
        {
            Payload = payload;
            CompletedWithArray = true;
        }

        public override void SetPayloadLength(int payloadLength)
        {
        }

        public override IBufferWriter<byte> GetBufferWriter() => _writer;

        public override void Complete() => Payload = _writer.WrittenSpan.ToArray();
    }
}
