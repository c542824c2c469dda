using System.Diagnostics;
using System.Globalization;
using IdNode.Server.Tests.Grpc;
using IdNode.TestSupport;
using Npgsql;
using Xunit.Abstractions;
using static IdNode.Server.Tests.Enterprise.Onboarding;

namespace IdNode.Server.Tests.Enterprise;

/// <summary>
/// The enterprise flow on a node backed by PostgreSQL (own schema), reporting batch and import
/// throughput. Numbers are printed, never asserted. IDNODE_MEASURE_IMPORT sets the import size
/// (default 20000; the report used 1000000).
/// </summary>
public sealed class PostgresEnterpriseTests(ITestOutputHelper output) : IAsyncLifetime
{
    private string _schema = "";
    private string _server = "";
    private GrpcTestServer? _node;

    public async Task InitializeAsync()
    {
        if (string.IsNullOrEmpty(TestServers.Postgres) && !TestServers.IsCi)
            return;
        _server = TestServers.Postgres!;
        _schema = "e_" + Guid.NewGuid().ToString("N")[..16];
        await ExecAsync($"CREATE SCHEMA {_schema}");
        _node = new GrpcTestServer(new Dictionary<string, string?>
        {
            ["IdNode:Store:Kind"] = "postgres",
            ["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(_server) { SearchPath = _schema }.ToString(),
        });
    }

    public async Task DisposeAsync()
    {
        _node?.Dispose();
        if (_schema.Length > 0)
            await ExecAsync($"DROP SCHEMA IF EXISTS {_schema} CASCADE");
    }

    private async Task ExecAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Pooling = false }.ToString());
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    [SkippableFact]
    public async Task Flow_batches_and_import_on_postgres()
    {
        TestServers.Require(TestServers.Postgres, "PostgreSQL");
        var on = new Onboarding(_node!);
        var admin = await on.AdminTokenAsync();
        var (prefix, token, id) = await on.EnterpriseAsync(admin, "PG Lighting", "1001");
        Assert.EndsWith(".1001", prefix, StringComparison.Ordinal);
        var client = on.Bearer(token);

        const int batches = 5;
        var watch = Stopwatch.StartNew();
        for (var b = 0; b < batches; b++)
        {
            var items = Enumerable.Range(0, 2000).Select(i => Item($"{prefix}/B{b}-{i:D4}", "lamp " + i)).ToArray();
            var (_, body) = await SendAsync(client, HttpMethod.Post, "/identityv2/data/batchCreate", items);
            Assert.Equal(1, body.GetProperty("status").GetInt32());
        }
        watch.Stop();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"batchCreate into PostgreSQL: {batches} x 2000 in {watch.Elapsed.TotalSeconds:F2} s = {batches * 2000 / watch.Elapsed.TotalSeconds:F0} identifiers/s"));

        var partner = await on.PrincipalAsync(token, "pg-partner", "Partner", prefix);
        var (_, detail) = await SendAsync(on.Bearer(partner), HttpMethod.Get, $"/identityv2/data/detail?handle={prefix}/B4-1999", null);
        Assert.Equal(2, detail.GetProperty("data").GetProperty("value").GetArrayLength());

        var (_, stopped) = await SendAsync(on.Bearer(admin), HttpMethod.Post, $"/api/admin/enterprises/{id}/stop", new { reason = "test" });
        Assert.Equal(0, stopped.GetProperty("data").GetProperty("state").GetInt32());
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await on.Anonymous().GetAsync($"/api/handles/{prefix}/B0-0000")).StatusCode);
        await SendAsync(on.Bearer(admin), HttpMethod.Post, $"/api/admin/enterprises/{id}/resume", null);

        var count = long.TryParse(Environment.GetEnvironmentVariable("IDNODE_MEASURE_IMPORT"), out var n) ? n : 20_000;
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        process.Refresh();
        var peakBefore = process.PeakWorkingSet64;
        watch.Restart();
        using var http = on.Bearer(token);
        http.Timeout = TimeSpan.FromHours(1);
        var response = await http.PostAsync("/api/import", new NdjsonContent(prefix, count));
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        watch.Stop();
        process.Refresh();
        Assert.Equal(count, doc.RootElement.GetProperty("data").GetProperty("created").GetInt64());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"NDJSON import into PostgreSQL: {count} in {watch.Elapsed.TotalSeconds:F1} s = {count / watch.Elapsed.TotalSeconds:F0} identifiers/s; " +
            $"test process peak working set {peakBefore / 1048576} MiB before, {process.PeakWorkingSet64 / 1048576} MiB after"));
    }
}
