using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;

namespace IdNode.Server.Tests.Grpc;

public sealed class HealthAndReflectionTests : IClassFixture<GrpcTestServer>
{
    private readonly GrpcTestServer _server;

    public HealthAndReflectionTests(GrpcTestServer server) => _server = server;

    [Fact]
    public async Task Health_reports_serving()
    {
        var response = await new Health.HealthClient(_server.Channel).CheckAsync(new HealthCheckRequest { Service = "" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Reflection_lists_the_idnode_services_and_health()
    {
        using var call = new ServerReflection.ServerReflectionClient(_server.Channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToArray();
        Assert.Contains("idnode.v1.Resolver", names);
        Assert.Contains("idnode.v1.Registry", names);
        Assert.Contains("idnode.v1.Changes", names);
        Assert.Contains("idnode.v1.Management", names);
        Assert.Contains("grpc.health.v1.Health", names);
    }

    [Fact]
    public async Task Reflection_describes_the_contract_files()
    {
        using var call = new ServerReflection.ServerReflectionClient(_server.Channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "idnode.v1.Resolver" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto
            .Select(b => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(b).Name).ToArray();
        Assert.Contains("idnode/v1/resolver.proto", files);
    }
}
