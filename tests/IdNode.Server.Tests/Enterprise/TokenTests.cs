using System.Net;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using IdNode.Grpc.V1;
using IdNode.Server.Tests.Grpc;
using static IdNode.Server.Tests.Enterprise.Onboarding;

namespace IdNode.Server.Tests.Enterprise;

public sealed class TokenTests : IDisposable
{
    private readonly GrpcTestServer _server = new();
    private readonly Onboarding _on;

    public TokenTests() => _on = new Onboarding(_server);

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task The_node_admin_logs_in_with_its_Basic_identity_and_the_token_works_on_Handle_REST_gRPC_and_SNMS()
    {
        var token = await _on.AdminTokenAsync();
        Assert.True(token.Length >= 40);

        var put = await _on.Bearer(token).PutAsync("/api/handles/88.999.7/rest",
            new StringContent("""[{"index":1,"type":"URL","data":"https://e.cn/1"}]""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var grpc = await _server.Registry.CreateAsync(new CreateRequest { Handle = "88.999.7/grpc", Values = { GrpcTestServer.Url("https://e.cn/2") } }, GrpcBearer(token));
        Assert.True(grpc.Created);

        var (_, snms) = await SendAsync(_on.Bearer(token), HttpMethod.Post, "/identityv2/data", Item("88.999.7/snms"));
        Assert.Equal(1, snms.GetProperty("status").GetInt32());
        var history = await _server.Services.GetRequiredService<Core.Ports.IRecordStore>().GetHistoryAsync("88.999.7/snms");
        Assert.Equal(AdminUser, history.Single().Actor);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_minus_1_and_401()
    {
        var (status, body) = await SendAsync(_on.Anonymous(), HttpMethod.Post, "/identity/token", new { username = AdminUser, password = "wrong" });
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(-1, body.GetProperty("status").GetInt32());
        Assert.DoesNotContain("wrong\"", body.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_failed_logins_lock_the_user_even_for_the_right_password_and_are_audited()
    {
        var admin = await _on.AdminTokenAsync();
        var (enterprisePrefix, _, id) = await _on.EnterpriseAsync(admin, "Locky");
        var principals = await SendAsync(_on.Bearer(admin), HttpMethod.Get, $"/api/admin/principals?enterpriseId={id}", null);
        var user = principals.Body.GetProperty("data")[0].GetProperty("username").GetString()!;
        _ = enterprisePrefix;

        for (var i = 0; i < 5; i++)
        {
            var (s, _) = await SendAsync(_on.Anonymous(), HttpMethod.Post, "/identity/token", new { username = user, password = "guess-" + i });
            Assert.Equal(HttpStatusCode.Unauthorized, s);
        }
        var (status, body) = await SendAsync(_on.Anonymous(), HttpMethod.Post, "/identity/token", new { username = user, password = "any" });
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal(-1, body.GetProperty("status").GetInt32());
        Assert.Contains("locked until", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        var audit = await _on.AuditAsync(admin, $"actor={Uri.EscapeDataString(user)}&outcome=denied");
        Assert.Equal(6, audit.Length);
        Assert.StartsWith("locked", audit[0].GetProperty("detail").GetString(), StringComparison.Ordinal);
        // Passwords tried never reach the log.
        Assert.DoesNotContain(audit, a => a.ToString().Contains("guess-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Snms_without_a_token_is_not_logged_in()
    {
        var (status, body) = await SendAsync(_on.Anonymous(), HttpMethod.Get, "/identityv2/data/detail?handle=88.999.1/x", null);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(-1, body.GetProperty("status").GetInt32());
        var (status2, body2) = await SendAsync(_on.Bearer("forged-token"), HttpMethod.Post, "/identityv2/data/batchCreate", new[] { Item("88.999.1/x") });
        Assert.Equal(HttpStatusCode.Unauthorized, status2);
        Assert.Equal(-1, body2.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Disabling_a_principal_revokes_its_tokens_everywhere()
    {
        var admin = await _on.AdminTokenAsync();
        var (prefix, enterpriseToken, _) = await _on.EnterpriseAsync(admin, "Revoke Co");
        var writer = await _on.PrincipalAsync(enterpriseToken, "writer-r", "EnterpriseWriter", prefix);
        var (_, ok) = await SendAsync(_on.Bearer(writer), HttpMethod.Post, "/identityv2/data", Item(prefix + "/before"));
        Assert.Equal(1, ok.GetProperty("status").GetInt32());

        var (_, patched) = await SendAsync(_on.Bearer(enterpriseToken), HttpMethod.Patch, "/api/admin/principals/writer-r", new { disabled = true });
        Assert.Equal(1, patched.GetProperty("status").GetInt32());

        var (status, refused) = await SendAsync(_on.Bearer(writer), HttpMethod.Post, "/identityv2/data", Item(prefix + "/after"));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("revoked", refused.GetProperty("message").GetString(), StringComparison.Ordinal);
        await GrpcAssert.FailsWith(StatusCode.Unauthenticated,
            () => _server.Registry.CreateAsync(new CreateRequest { Handle = prefix + "/grpc", Values = { GrpcTestServer.Url("https://e.cn") } }, GrpcBearer(writer)).ResponseAsync);
        var (s2, _) = await SendAsync(_on.Anonymous(), HttpMethod.Post, "/identity/token", new { username = "writer-r", password = "password-writer-r" });
        Assert.Equal(HttpStatusCode.Unauthorized, s2);
    }

    [Fact]
    public async Task Only_the_token_hash_is_stored()
    {
        var token = await _on.AdminTokenAsync();
        var store = _server.Services.GetRequiredService<Core.Ports.IRegistryStore>();
        Assert.Null(await store.GetTokenAsync(token));
        var stored = await store.GetTokenAsync(Core.Auth.TokenService.HashToken(token));
        Assert.NotNull(stored);
        Assert.Equal(AdminUser, stored.Username);
        Assert.Equal(24 * 3600, stored.ExpiresAt - stored.IssuedAt);
    }
}
