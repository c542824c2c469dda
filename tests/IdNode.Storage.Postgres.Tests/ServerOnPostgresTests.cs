using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdNode.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace IdNode.Storage.Postgres.Tests;

/// <summary>The whole server (in memory) configured with <c>IdNode:Store:Kind=postgres</c>.</summary>
public sealed class ServerOnPostgresTests
{
    internal const string Secret = "postgres-test-secret";

    internal static WebApplicationFactory<Program> Server(string connectionString, int? staleBoundMs = null) => new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
    {
        if (staleBoundMs is { } bound)
            b.UseSetting("IdNode:Cache:StaleBoundMs", bound.ToString(System.Globalization.CultureInfo.InvariantCulture));
        b.UseSetting("IdNode:Store:Kind", "postgres");
        b.UseSetting("ConnectionStrings:Postgres", connectionString);
        b.UseSetting("IdNode:Node:Prefix", "88.999");
        b.UseSetting("IdNode:Bootstrap:AdminSecret", Secret);
    });

    internal static HttpClient Admin(WebApplicationFactory<Program> app)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"300%3A88.999/ADMIN:{Secret}")));
        return client;
    }

    internal static StringContent UrlBody(string url)
        => new($$$"""[{"index":1,"type":"URL","data":{"format":"string","value":"{{{url}}}"}}]""", Encoding.UTF8, "application/json");

    internal static async Task<JsonElement> Json(HttpResponseMessage response)
        => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [SkippableFact]
    public async Task Put_then_get_round_trips_through_postgres()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var app = Server(schema.ConnectionString);
        using var client = Admin(app);

        var put = await client.PutAsync("/api/handles/88.999/pg-1", UrlBody("https://example.com/pg-1"));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var get = await client.GetAsync("/api/handles/88.999/pg-1");

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var body = await Json(get);
        Assert.Equal(1, body.GetProperty("responseCode").GetInt32());
        Assert.Contains("https://example.com/pg-1", body.GetRawText());
        // It really is in PostgreSQL, not somewhere else.
        Assert.Equal(1L, await schema.ScalarAsync<long>("SELECT count(*) FROM handles WHERE key = '88.999/pg-1' AND data IS NOT NULL"));
        Assert.Equal(1L, await schema.ScalarAsync<long>("SELECT count(*) FROM change_batches, unnest(keys) AS k WHERE k = '88.999/pg-1'"));
    }

    [SkippableFact]
    public void Postgres_kind_without_a_connection_string_refuses_to_start_and_names_the_setting()
    {
        using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("IdNode:Store:Kind", "postgres");
            b.UseSetting("ConnectionStrings:Postgres", "");
        });

        var e = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("ConnectionStrings:Postgres", e.ToString());
    }
}

[Collection(PostgresOutageCollection.Name)]
public sealed class ServerPostgresOutageTests
{
    [SkippableFact]
    public async Task Writes_get_503_rc_3_while_postgres_is_stopped_cached_reads_continue_and_writes_work_again_after_restart()
    {
        await using var pg = await PostgresControl.StartPrivateAsync();
        await using var schema = await TestSchema.CreateAsync(pg.ConnectionString);
        // In memory mode L1 stops answering StaleBoundMs after the change-log follower last reached
        // the store (docs/caching.md). This test checks that a cached read survives the outage
        // without touching the store, not that bound: keep the bound past the test's length so a
        // loaded machine cannot turn the cached read into a 503.
        await using var app = ServerOnPostgresTests.Server(schema.ConnectionString, staleBoundMs: 120_000);
        using var client = ServerOnPostgresTests.Admin(app);
        using var anonymous = app.CreateClient();
        var put = await client.PutAsync("/api/handles/88.999/before", ServerOnPostgresTests.UrlBody("https://example.com/before"));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/handles/88.999/before")).StatusCode);

        await pg.StopAsync();

        var refused = await client.PutAsync("/api/handles/88.999/during", ServerOnPostgresTests.UrlBody("https://example.com/during"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var body = await ServerOnPostgresTests.Json(refused);
        Assert.Equal(3, body.GetProperty("responseCode").GetInt32());
        Assert.Contains("store unavailable", body.GetRawText());
        var uncachedRead = await anonymous.GetAsync("/api/handles/88.999/never-seen");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, uncachedRead.StatusCode);
        Assert.Equal(3, (await ServerOnPostgresTests.Json(uncachedRead)).GetProperty("responseCode").GetInt32());
        var cached = await anonymous.GetAsync("/api/handles/88.999/before");
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);

        await pg.StartAsync();

        var again = await client.PutAsync("/api/handles/88.999/after", ServerOnPostgresTests.UrlBody("https://example.com/after"));
        Assert.True(again.IsSuccessStatusCode, await again.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/handles/88.999/after")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/api/handles/88.999/during")).StatusCode);
    }
}
