using Grpc.Core;
using IdNode.Grpc.V1;

namespace IdNode.Server.Tests.Grpc;

/// <summary>The same Handle-style Basic credentials as HTTP, carried in the <c>authorization</c> metadata.</summary>
public sealed class GrpcAuthenticationTests : IClassFixture<GrpcTestServer>
{
    private readonly GrpcTestServer _server;

    public GrpcAuthenticationTests(GrpcTestServer server) => _server = server;

    private static CreateRequest Create(string handle) => new() { Handle = handle, Values = { GrpcTestServer.Url("https://example.cn/auth") } };

    /// <summary>An enterprise administrator for 88.999.20, created by the node admin.</summary>
    private async Task<Metadata> EnterpriseAdminAsync()
    {
        var request = new CreateRequest
        {
            Handle = "88.999.20/ADMIN",
            Overwrite = true,
            Values = { new HandleValue { Index = 300, Type = "HS_SECKEY", Data = new ValueData { Text = "enterprise-secret" }, Permissions = 0b1100 } },
        };
        await _server.Registry.CreateAsync(request, GrpcTestServer.Admin);
        return GrpcTestServer.Basic("300:88.999.20/ADMIN", "enterprise-secret");
    }

    [Fact]
    public async Task A_write_without_credentials_is_unauthenticated_and_stores_nothing()
    {
        var e = await GrpcAssert.FailsWith(StatusCode.Unauthenticated, () => _server.Registry.CreateAsync(Create("88.999.20/anon")).ResponseAsync, responseCode: 402);
        Assert.Contains("authorization", e.Status.Detail, StringComparison.Ordinal);
        await GrpcAssert.FailsWith(StatusCode.NotFound, () => _server.Resolver.ResolveAsync(new ResolveRequest { Handle = "88.999.20/anon" }).ResponseAsync);
    }

    [Fact]
    public async Task A_wrong_secret_is_unauthenticated_with_rc_403()
        => await GrpcAssert.FailsWith(StatusCode.Unauthenticated,
            () => _server.Registry.CreateAsync(Create("88.999.20/wrong"), GrpcTestServer.Basic("300:88.999/ADMIN", "not-the-secret")).ResponseAsync, responseCode: 403);

    [Fact]
    public async Task An_identity_of_another_prefix_is_unauthenticated_with_rc_404()
        => await GrpcAssert.FailsWith(StatusCode.Unauthenticated,
            () => _server.Registry.CreateAsync(Create("88.999.20/other"), GrpcTestServer.Basic("300:86.100/ADMIN", GrpcTestServer.AdminSecret)).ResponseAsync, responseCode: 404);

    [Theory]
    [InlineData("Digest abc", 402)]
    [InlineData("Bearer not-a-token-we-issued", 403)]
    [InlineData("Basic !!!", 404)]
    [InlineData("Basic bm9jb2xvbg==", 404)]
    public async Task A_malformed_authorization_is_unauthenticated(string authorization, int rc)
        => await GrpcAssert.FailsWith(StatusCode.Unauthenticated,
            () => _server.Registry.CreateAsync(Create("88.999.20/malformed"), new Metadata { { "authorization", authorization } }).ResponseAsync, responseCode: rc);

    [Fact]
    public async Task A_bad_credential_on_a_read_is_refused_too()
        => await GrpcAssert.FailsWith(StatusCode.Unauthenticated,
            () => _server.Resolver.ResolveAsync(new ResolveRequest { Handle = "88.999/ADMIN" }, GrpcTestServer.Basic("300:88.999/ADMIN", "wrong")).ResponseAsync);

    [Fact]
    public async Task An_enterprise_admin_writes_its_own_prefix_but_not_another()
    {
        var enterprise = await EnterpriseAdminAsync();

        var own = await _server.Registry.CreateAsync(Create("88.999.20/product-1"), enterprise);
        var derived = await _server.Registry.CreateAsync(Create("88.999.20.7/product-1"), enterprise);
        var e = await GrpcAssert.FailsWith(StatusCode.PermissionDenied, () => _server.Registry.CreateAsync(Create("88.999.21/product-1"), enterprise).ResponseAsync, responseCode: 401);

        Assert.True(own.Created);
        Assert.True(derived.Created);
        Assert.Contains("300:88.999.20/ADMIN", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_items_outside_the_callers_prefix_are_permission_denied_per_item()
    {
        var enterprise = await EnterpriseAdminAsync();
        var request = new BatchRegisterRequest
        {
            Items =
            {
                new RegisterItem { Handle = "88.999.20/batch-own", Values = { GrpcTestServer.Url("https://example.cn/own") } },
                new RegisterItem { Handle = "88.999.22/batch-other", Values = { GrpcTestServer.Url("https://example.cn/other") } },
            },
        };

        var response = await _server.Registry.BatchRegisterAsync(request, enterprise);

        Assert.Equal([(int)StatusCode.OK, (int)StatusCode.PermissionDenied], response.Results.Select(r => r.Status.Code));
    }

    [Fact]
    public async Task An_enterprise_admin_may_not_watch_the_node_wide_change_feed()
    {
        var enterprise = await EnterpriseAdminAsync();
        using var call = _server.Changes.Watch(new WatchRequest(), enterprise);
        await GrpcAssert.FailsWith(StatusCode.PermissionDenied, () => call.ResponseStream.MoveNext(), responseCode: 401);
    }

    [Fact]
    public async Task Every_write_rpc_needs_credentials()
    {
        await GrpcAssert.FailsWith(StatusCode.Unauthenticated, () => _server.Registry.UpdateAsync(new UpdateRequest { Handle = "88.999/ADMIN" }).ResponseAsync);
        await GrpcAssert.FailsWith(StatusCode.Unauthenticated, () => _server.Registry.DeleteAsync(new DeleteRequest { Handle = "88.999/ADMIN" }).ResponseAsync);
        await GrpcAssert.FailsWith(StatusCode.Unauthenticated, () => _server.Registry.BatchRegisterAsync(new BatchRegisterRequest()).ResponseAsync);
        using var import = _server.Registry.Import();
        await import.RequestStream.CompleteAsync();
        await GrpcAssert.FailsWith(StatusCode.Unauthenticated, () => import.ResponseAsync);
        using var watch = _server.Changes.Watch(new WatchRequest());
        await GrpcAssert.FailsWith(StatusCode.Unauthenticated, () => watch.ResponseStream.MoveNext());
    }
}
