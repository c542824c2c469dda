using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using IdNode.Grpc.V1;
using IdNode.Server.Tests.Grpc;
using Microsoft.Extensions.DependencyInjection;
using static IdNode.Server.Tests.Enterprise.Onboarding;

namespace IdNode.Server.Tests.Enterprise;

/// <summary>
/// Repeated wrong secrets lock the identity on every surface that checks one (Handle REST Basic,
/// gRPC Basic, SNMS token login, management API): 429 + Retry-After / RESOURCE_EXHAUSTED, rc 403,
/// a message saying until when; audited; the right secret works again once the lock has run out.
/// </summary>
public sealed class LoginLockoutTests : IDisposable
{
    private const string Identity = "300:88.999/ADMIN";
    private readonly Clock _clock = new();
    private readonly GrpcTestServer _server;
    private readonly Onboarding _on;

    public LoginLockoutTests()
    {
        _server = new GrpcTestServer { ReplaceServices = s => s.AddSingleton<TimeProvider>(_clock) };
        _on = new Onboarding(_server);
    }

    public void Dispose() => _server.Dispose();

    private HttpClient Basic(string secret)
    {
        var c = _server.CreateClient();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(Identity) + ":" + secret)));
        return c;
    }

    private static StringContent UrlBody() => new("""[{"index":1,"type":"URL","data":"https://e.cn/1"}]""", Encoding.UTF8, "application/json");

    private async Task AssertLockedOnEverySurfaceAsync()
    {
        // Handle REST: 429, Retry-After, rc 403 and when; nothing written.
        using (var put = await Basic(GrpcTestServer.AdminSecret).PutAsync("/api/handles/88.999.7/locked", UrlBody()))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, put.StatusCode);
            Assert.InRange(put.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 900);
            using var doc = JsonDocument.Parse(await put.Content.ReadAsStringAsync());
            Assert.Equal(403, doc.RootElement.GetProperty("responseCode").GetInt32());
            Assert.Matches("locked until .* \\(retry in \\d+ s\\)", doc.RootElement.GetProperty("message").GetString());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await _server.CreateClient().GetAsync("/api/handles/88.999.7/locked")).StatusCode);

        // gRPC metadata.
        var e = await GrpcAssert.FailsWith(StatusCode.ResourceExhausted, () => _server.Registry.CreateAsync(
            new CreateRequest { Handle = "88.999.7/locked", Values = { GrpcTestServer.Url("https://e.cn/1") } }, GrpcTestServer.Admin).ResponseAsync, responseCode: 403);
        Assert.Contains("locked until", e.Status.Detail, StringComparison.Ordinal);
        Assert.NotNull(e.Trailers.GetValue("retry-after"));

        // SNMS token login and the management API: "not logged in" (−1) with 429.
        var (loginStatus, login) = await SendAsync(Anonymous(), HttpMethod.Post, "/identity/token", new { username = Identity, password = GrpcTestServer.AdminSecret });
        Assert.Equal((HttpStatusCode.TooManyRequests, -1), (loginStatus, login.GetProperty("status").GetInt32()));
        var (adminStatus, admin) = await SendAsync(Basic(GrpcTestServer.AdminSecret), HttpMethod.Get, "/api/admin/enterprises", null);
        Assert.Equal((HttpStatusCode.TooManyRequests, -1), (adminStatus, admin.GetProperty("status").GetInt32()));
    }

    private HttpClient Anonymous() => _server.CreateClient();

    [Fact]
    public async Task Five_wrong_Basic_secrets_over_REST_lock_the_identity_everywhere_until_the_lock_runs_out()
    {
        var adminToken = await _on.AdminTokenAsync();
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await Basic("guess-" + i).PutAsync("/api/handles/88.999.7/x", UrlBody());
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        }
        await AssertLockedOnEverySurfaceAsync();

        // A token issued before the lock is a session, not a guess: it keeps working.
        Assert.Equal(HttpStatusCode.OK, (await _on.Bearer(adminToken).PutAsync("/api/handles/88.999.7/by-token", UrlBody())).StatusCode);

        // Audited: each failure and each refused attempt, with what happened; secrets never.
        var audit = await _on.AuditAsync(adminToken, "actor=" + Uri.EscapeDataString(Identity) + "&outcome=denied&limit=100");
        Assert.Equal(5, audit.Count(a => a.GetProperty("action").GetString() == "auth.basic" && a.GetProperty("detail").GetString()!.StartsWith("wrong credentials", StringComparison.Ordinal)));
        Assert.Contains(audit, a => a.GetProperty("detail").GetString()!.Contains("locked for 15 min", StringComparison.Ordinal));
        Assert.True(audit.Count(a => a.GetProperty("detail").GetString() == "locked") >= 4);
        Assert.DoesNotContain(audit, a => a.ToString().Contains("guess-", StringComparison.Ordinal));

        _clock.Advance(TimeSpan.FromMinutes(15));
        using (var put = await Basic(GrpcTestServer.AdminSecret).PutAsync("/api/handles/88.999.7/after", UrlBody()))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await _server.Registry.CreateAsync(new CreateRequest { Handle = "88.999.7/after-grpc", Values = { GrpcTestServer.Url("https://e.cn/2") } }, GrpcTestServer.Admin);
        await _on.AdminTokenAsync();
    }

    [Fact]
    public async Task Five_wrong_Basic_secrets_over_gRPC_lock_the_identity_everywhere()
    {
        for (var i = 0; i < 5; i++)
            await GrpcAssert.FailsWith(StatusCode.Unauthenticated, () => _server.Resolver.ResolveAsync(new ResolveRequest { Handle = "88.999/ADMIN" },
                GrpcTestServer.Basic(Identity, "guess-" + i)).ResponseAsync, responseCode: 403);
        await AssertLockedOnEverySurfaceAsync();
        _clock.Advance(TimeSpan.FromMinutes(15));
        Assert.NotNull(await _server.Resolver.ResolveAsync(new ResolveRequest { Handle = "88.999/ADMIN" }, GrpcTestServer.Admin));
    }

    [Fact]
    public async Task Failed_token_logins_lock_Basic_too_and_a_success_in_between_resets_the_count()
    {
        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(Anonymous(), HttpMethod.Post, "/identity/token", new { username = Identity, password = "guess" })).Status);
        await _on.AdminTokenAsync();
        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(Anonymous(), HttpMethod.Post, "/identity/token", new { username = Identity, password = "guess" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await Basic(GrpcTestServer.AdminSecret).PutAsync("/api/handles/88.999.7/still-ok", UrlBody())).StatusCode);
        for (var i = 0; i < 5; i++)
            await SendAsync(Anonymous(), HttpMethod.Post, "/identity/token", new { username = Identity, password = "guess" });
        await AssertLockedOnEverySurfaceAsync();
    }

    private sealed class Clock : TimeProvider
    {
        private long _offsetTicks;

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

        public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
