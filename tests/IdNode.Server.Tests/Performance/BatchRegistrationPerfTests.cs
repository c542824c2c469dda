using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using IdNode.Core.Auth;
using IdNode.Core.Identifiers;
using IdNode.Core.Json;
using IdNode.Core.Node;
using IdNode.Core.Ports;
using IdNode.Core.Services;
using IdNode.Grpc.V1;
using IdNode.Server.Tests.Grpc;
using IdNode.Storage.Postgres;
using IdNode.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;
using DomainValue = IdNode.Core.Records.HandleValue;
using ProtoValue = IdNode.Grpc.V1.HandleValue;

namespace IdNode.Server.Tests.Performance;

/// <summary>
/// Measurements, not assertions on speed: 2000-item batch registration into PostgreSQL through
/// <see cref="RecordService.BatchPutAsync"/> and through gRPC BatchRegister (the whole server in
/// memory), with 1 and 4 concurrent clients, next to the raw floor of the same rows written with
/// binary COPY (<see cref="PostgresRecordStore.BulkInsertAsync"/>) in the same run. Every batch
/// creates new identifiers. Run with
/// <c>IDNODE_PERF=1 ./test.sh --filter FullyQualifiedName~BatchRegistrationPerf --logger "console;verbosity=detailed"</c>;
/// IDNODE_PERF_OUT names a file to append the numbers to, IDNODE_PERF_ROUNDS the number of rounds (default 2).
/// </summary>
[Trait("Category", "Perf")]
public sealed class BatchRegistrationPerfTests(ITestOutputHelper output)
{
    private const string Prefix = GrpcTestServer.Prefix;
    private const int BatchSize = RecordService.MaxBatchItems;
    private const int BatchesPerClient = 8;

    [SkippableFact]
    public async Task Measure_2000_item_batches_on_postgres_against_binary_copy()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("IDNODE_PERF") == "1", "set IDNODE_PERF=1 to measure");
        var server = TestServers.Require(TestServers.Postgres, "PostgreSQL");
        var schema = "perf_" + Guid.NewGuid().ToString("N")[..12];
        await ExecAsync(server, $"CREATE SCHEMA {schema}");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ToString();
        try
        {
            using var app = new GrpcTestServer(new Dictionary<string, string?>
            {
                ["IdNode:Store:Kind"] = "postgres",
                ["ConnectionStrings:Postgres"] = connectionString,
            });
            var records = app.Services.GetRequiredService<RecordService>();
            var node = app.Services.GetRequiredService<NodeSettings>();
            var registry = app.Registry;
            await using var raw = new PostgresRecordStore(new PostgresStoreOptions { ConnectionString = connectionString });
            var admin = Principal.ForHandleIdentity(new HandleIdentity(300, $"{Prefix}/ADMIN"), $"{Prefix}/ADMIN", Prefix, isNodeAdmin: true);
            var run = 0;

            async Task<double> ServiceAsync(int clients) => await MeasureAsync(clients, async tag =>
            {
                var items = Enumerable.Range(0, BatchSize).Select(i => new BatchPutItem(Identifier.Parse($"{Prefix}/{tag}-{i}", node.Rules), Values($"{tag}-{i}"))).ToArray();
                var outcomes = await records.BatchPutAsync(items, overwrite: false, admin);
                Check(outcomes.All(o => o.Succeeded && o.Result.Created), tag);
            }, $"svc{++run}");

            async Task<double> GrpcAsync(int clients) => await MeasureAsync(clients, async tag =>
            {
                var request = new BatchRegisterRequest();
                for (var i = 0; i < BatchSize; i++)
                {
                    var item = new RegisterItem { Handle = $"{Prefix}/{tag}-{i}" };
                    item.Values.Add(ProtoValues($"{tag}-{i}"));
                    request.Items.Add(item);
                }
                var response = await registry.BatchRegisterAsync(request, GrpcTestServer.Admin);
                Check(response.Results.All(r => r.Status.Code == (int)StatusCode.OK && r.Created), tag);
            }, $"grpc{++run}");

            async Task<double> CopyAsync(int clients) => await MeasureAsync(clients, async tag =>
            {
                var writes = Enumerable.Range(0, BatchSize).Select(i =>
                {
                    var key = $"{Prefix}/{tag}-{i}";
                    return new RecordWrite(key, key, Prefix, 0, HandleJsonWriter.Stored(Values($"{tag}-{i}")), IdNode.Core.Ports.ChangeKind.Create, admin.Name);
                }).ToArray();
                var result = await raw.BulkInsertAsync(writes);
                Check(result.Inserted == BatchSize, tag);
            }, $"copy{++run}");

            // The store's share of a batch, without the service: the same creates written directly,
            // and the read of 2000 existing keys the service does first (the rest is validation,
            // authorisation, encoding and cache notification).
            async Task<double> StoreWriteAsync() => await MeasureAsync(1, async tag =>
            {
                var writes = Enumerable.Range(0, BatchSize).Select(i =>
                {
                    var key = $"{Prefix}/{tag}-{i}";
                    return new RecordWrite(key, key, Prefix, 0, HandleJsonWriter.Stored(Values($"{tag}-{i}")), IdNode.Core.Ports.ChangeKind.Create, admin.Name);
                }).ToArray();
                var results = await raw.WriteBatchAsync(writes);
                Check(results.All(r => r.Committed), tag);
            }, $"store{++run}");

            async Task<double> StoreReadAsync()
            {
                var keys = Enumerable.Range(0, BatchSize).Select(i => Identifier.Parse($"{Prefix}/PERF-svc1-0-0-{i}", node.Rules).Key).ToArray();
                var sw = Stopwatch.StartNew();
                for (var b = 0; b < BatchesPerClient; b++)
                    Check((await raw.GetManyAsync(keys)).All(r => r is not null), "read");
                return BatchesPerClient * BatchSize / sw.Elapsed.TotalSeconds;
            }

            Report($"{Environment.ProcessorCount} cores (shared, noisy); batches of {BatchSize}, {BatchesPerClient} per client; record {HandleJsonWriter.Stored(Values("x")).Length} bytes; load average {LoadAverage()}");
            // Warm-up: JIT, pools, prepared statements.
            await ServiceAsync(1);
            await GrpcAsync(1);
            await CopyAsync(1);

            var rounds = int.TryParse(Environment.GetEnvironmentVariable("IDNODE_PERF_ROUNDS"), out var n) ? n : 2;
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var clients in new[] { 1, 4 })
                {
                    var copy = await CopyAsync(clients);
                    var copyCpu = LastCpu;
                    var service = await ServiceAsync(clients);
                    var serviceCpu = LastCpu;
                    var grpc = await GrpcAsync(clients);
                    var grpcCpu = LastCpu;
                    if (clients == 1)
                    {
                        var write = await StoreWriteAsync();
                        var read = await StoreReadAsync();
                        Report($"round {round}, store alone, 1 client: WriteBatchAsync (creates) {write:N0}/s = {1000.0 * BatchSize / write:F0} ms per batch, GetManyAsync {read:N0}/s = {1000.0 * BatchSize / read:F0} ms per batch; BatchPutAsync {1000.0 * BatchSize / service:F0} ms per batch");
                    }
                    Report($"round {round}, {clients} client(s): BatchPutAsync {service:N0}/s ({service / copy:P0} of COPY), gRPC BatchRegister {grpc:N0}/s ({grpc / copy:P0}), binary COPY {copy:N0}/s; load average {LoadAverage()}");
                    Report($"round {round}, {clients} client(s), CPU: BatchPutAsync {serviceCpu}; gRPC {grpcCpu}; COPY {copyCpu}");
                }
            }

            // WAL per identifier, from the cluster's WAL insert position around one 2000-item batch
            // (nothing else writes to this throwaway cluster; full-page images after a checkpoint
            // make single batches noisy, so three of each).
            for (var w = 1; w <= 3; w++)
            {
                var keys = Enumerable.Range(0, BatchSize).Select(i => $"{Prefix}/WAL-{w}-{i}").ToArray();
                var record = HandleJsonWriter.Stored(Values("wal"));
                var create = await WalPerIdAsync(server, async () => Check((await raw.WriteBatchAsync(keys.Select(k => new RecordWrite(k, k, Prefix, 0, record, IdNode.Core.Ports.ChangeKind.Create, admin.Name)).ToArray())).All(r => r.Committed), "wal create"));
                var update = await WalPerIdAsync(server, async () => Check((await raw.WriteBatchAsync(keys.Select(k => new RecordWrite(k, k, Prefix, 1, record, IdNode.Core.Ports.ChangeKind.Update, admin.Name)).ToArray())).All(r => r.Committed), "wal update"));
                var bulk = await WalPerIdAsync(server, async () => Check((await raw.BulkInsertAsync(keys.Select(k => new RecordWrite(k + "-c", k + "-c", Prefix, 0, record, IdNode.Core.Ports.ChangeKind.Create, admin.Name)).ToArray())).Inserted == BatchSize, "wal copy"));
                Report($"WAL bytes per identifier, batch {w}: WriteBatchAsync create {create:F0}, update {update:F0}; BulkInsertAsync (COPY) create {bulk:F0}; record {record.Length} bytes");
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecAsync(server, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    /// <summary>
    /// Identifiers per second of <paramref name="clients"/> clients each sending <see cref="BatchesPerClient"/> batches in a row.
    /// Also notes the CPU time this process and the PostgreSQL cluster spent per identifier (<see cref="LastCpu"/>):
    /// on a shared machine that says more about the cost than the rate does.
    /// </summary>
    private static async Task<double> MeasureAsync(int clients, Func<string, Task> batch, string run)
    {
        var ids = clients * BatchesPerClient * BatchSize;
        var (node0, pg0) = (ProcessCpu.Self(), ProcessCpu.Postgres());
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            for (var b = 0; b < BatchesPerClient; b++)
                await batch($"PERF-{run}-{c}-{b}");
        })));
        sw.Stop();
        var (node1, pg1) = (ProcessCpu.Self(), ProcessCpu.Postgres());
        LastCpu = pg0 is null || pg1 is null
            ? $"node {(node1 - node0).TotalMicroseconds / ids:F1} µs/id"
            : $"node {(node1 - node0).TotalMicroseconds / ids:F1} + PG {(pg1.Value - pg0.Value).TotalMicroseconds / ids:F1} µs CPU/id";
        return ids / sw.Elapsed.TotalSeconds;
    }

    private static string LastCpu = "";

    private static async Task<double> WalPerIdAsync(string server, Func<Task> work)
    {
        const string lsn = "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint";
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ToString());
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(lsn, conn);
        var before = (long)(await cmd.ExecuteScalarAsync())!;
        await work();
        var after = (long)(await cmd.ExecuteScalarAsync())!;
        return (after - before) / (double)BatchSize;
    }

    private static DomainValue[] Values(string suffix) =>
    [
        new DomainValue(1, "URL", IdNode.Core.Records.ValueData.FromString($"https://example.com/products/{suffix}?lot=42")),
        new DomainValue(2, "EMAIL", IdNode.Core.Records.ValueData.FromString("quality@example.com")),
    ];

    private static ProtoValue[] ProtoValues(string suffix) =>
    [
        new ProtoValue { Index = 1, Type = "URL", Data = new IdNode.Grpc.V1.ValueData { Text = $"https://example.com/products/{suffix}?lot=42" } },
        new ProtoValue { Index = 2, Type = "EMAIL", Data = new IdNode.Grpc.V1.ValueData { Text = "quality@example.com" } },
    ];

    private static void Check(bool ok, string tag)
    {
        if (!ok)
            throw new InvalidOperationException($"batch {tag}: not every item was created");
    }

    private static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static async Task ExecAsync(string server, string sql)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ToString());
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private void Report(string line)
    {
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("IDNODE_PERF_OUT") is { Length: > 0 } file)
            File.AppendAllText(file, line + Environment.NewLine);
    }
}
