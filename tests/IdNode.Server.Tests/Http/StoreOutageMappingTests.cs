using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdNode.Core.Ports;
using IdNode.Storage.Sqlite;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace IdNode.Server.Tests.Http;

/// <summary>
/// Every endpoint that reaches the store answers a store outage with 503 / rc 3 and a clear
/// message, whichever store it is: here a real SQLite store behind a switch that makes every call
/// fail the way an unreachable PostgreSQL does.
/// </summary>
public sealed class StoreOutageMappingTests : IDisposable
{
    private const string Secret = "outage-mapping-secret";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "idnode-outage-" + Guid.NewGuid().ToString("N"));
    private readonly SwitchableStore _store;
    private readonly WebApplicationFactory<Program> _app;

    public StoreOutageMappingTests()
    {
        _store = new SwitchableStore(new SqliteRecordStore(new SqliteStoreOptions { Path = Path.Combine(_dir, "t.db"), SyncEveryCommit = false }));
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("IdNode:Node:Prefix", "88.999");
            b.UseSetting("IdNode:Bootstrap:AdminSecret", Secret);
            // In memory mode L1 stops answering StaleBoundMs after the change-log follower last
            // reached the store (docs/caching.md). This test checks that a cached read does not
            // touch the store, not that bound: keep the bound well past the test's length, so a
            // slow machine cannot turn the cached read into a 503.
            b.UseSetting("IdNode:Cache:StaleBoundMs", "60000");
            b.ConfigureTestServices(s => s.AddSingleton<IRecordStore>(_store));
        });
    }

    private HttpClient Admin()
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"300%3A88.999/ADMIN:{Secret}")));
        return client;
    }

    private static StringContent Body() => new("""[{"index":1,"type":"URL","data":{"format":"string","value":"https://example.com/"}}]""", Encoding.UTF8, "application/json");

    private static async Task AssertBusy(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        Assert.Equal(3, json.RootElement.GetProperty("responseCode").GetInt32());
        Assert.Contains("store unavailable, retry later", body);
        Assert.DoesNotContain("127.0.0.1", body);
    }

    [Fact]
    public async Task Every_store_backed_endpoint_answers_503_rc_3_while_the_store_is_down_and_recovers()
    {
        using var admin = Admin();
        using var anonymous = _app.CreateClient();
        Assert.True((await admin.PutAsync("/api/handles/88.999/cached", Body())).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/handles/88.999/cached")).StatusCode);

        _store.Down = true;

        await AssertBusy(await admin.PutAsync("/api/handles/88.999/new", Body()));
        await AssertBusy(await admin.DeleteAsync("/api/handles/88.999/cached"));
        await AssertBusy(await admin.GetAsync("/api/handles?prefix=88.999"));
        await AssertBusy(await anonymous.GetAsync("/api/prefixes"));
        await AssertBusy(await anonymous.GetAsync("/api/handles/88.999/not-cached"));
        using var jsonRequest = new HttpRequestMessage(HttpMethod.Get, "/88.999/not-cached");
        jsonRequest.Headers.Accept.ParseAdd("application/json");
        await AssertBusy(await anonymous.SendAsync(jsonRequest));
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/handles/88.999/cached")).StatusCode);

        _store.Down = false;

        Assert.True((await admin.PutAsync("/api/handles/88.999/new", Body())).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/handles/88.999/new")).StatusCode);
    }

    public void Dispose()
    {
        _app.Dispose();
        _store.Inner.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class SwitchableStore(SqliteRecordStore inner) : IRecordStore
    {
        public SqliteRecordStore Inner => inner;

        public volatile bool Down;

        private IRecordStore Live => Down ? throw new StoreUnavailableException("store unavailable, retry later: connection refused 127.0.0.1:5432") : inner;

        public ValueTask<StoredRecord?> GetAsync(string key, CancellationToken cancellationToken = default) => Live.GetAsync(key, cancellationToken);
        public Task<IReadOnlyList<StoredRecord?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) => Live.GetManyAsync(keys, cancellationToken);
        public Task<WriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken = default) => Live.WriteAsync(write, cancellationToken);
        public Task<IReadOnlyList<WriteResult>> WriteBatchAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken = default) => Live.WriteBatchAsync(writes, cancellationToken);
        public Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default) => Live.CountAsync(prefix, cancellationToken);
        public Task<IReadOnlyList<ListedHandle>> ListAsync(string prefix, string? afterKey, int skip, int limit, CancellationToken cancellationToken = default) => Live.ListAsync(prefix, afterKey, skip, limit, cancellationToken);
        public Task<IReadOnlyList<string>> ListPrefixesAsync(CancellationToken cancellationToken = default) => Live.ListPrefixesAsync(cancellationToken);
        public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string key, CancellationToken cancellationToken = default) => Live.GetHistoryAsync(key, cancellationToken);
        public Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int limit, CancellationToken cancellationToken = default) => Live.ReadChangesAsync(afterSequence, limit, cancellationToken);
    }
}
