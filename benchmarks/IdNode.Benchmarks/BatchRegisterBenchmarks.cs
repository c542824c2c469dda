using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using IdNode.Core.Auth;
using IdNode.Core.Ports;
using IdNode.Core.Services;
using IdNode.Grpc.V1;
using IdNode.Server.Grpc;

namespace IdNode.Benchmarks;

/// <summary>
/// The node's own CPU and allocations of one gRPC BatchRegister of 2000 new identifiers (the batch
/// limit), without the network and without a database: parse the request bytes, map the items,
/// validate, authorise, plan and stamp, encode each stored form, "write" to a store that commits
/// everything at once, build and serialise the response. Divide by 2000 for the per-identifier
/// figures; the real node adds HTTP/2, PostgreSQL's client and the cache notification on top.
/// </summary>
[MemoryDiagnoser]
[IterationTime(250)]
public class BatchRegisterBenchmarks
{
    private const int Items = RecordService.MaxBatchItems;
    private readonly byte[] _request = BuildRequest();
    private readonly RecordService _records = new(new CommittingStore(), SampleRecords.Node, new WriteAuthorizer(SampleRecords.Node), []);
    private readonly Principal _admin = Principal.ForHandleIdentity(new HandleIdentity(300, "88.999/ADMIN"), "88.999/ADMIN", SampleRecords.NodePrefix, isNodeAdmin: true);

    [Benchmark]
    public async Task<int> BatchRegister2000()
    {
        var request = BatchRegisterRequest.Parser.ParseFrom(_request);
        var response = await RegistryService.RegisterAsync(_records, SampleRecords.Node, request, _admin, CancellationToken.None).ConfigureAwait(false);
        return response.ToByteArray().Length;
    }

    /// <summary>The load generator's grpc-batch items: seven text values, a URL naming the identifier.</summary>
    private static byte[] BuildRequest()
    {
        var request = new BatchRegisterRequest();
        for (var i = 0; i < Items; i++)
        {
            var handle = $"88.999/LOADTEST-B20261127023000000-{1:D7}-{i:D4}";
            var item = new RegisterItem { Handle = handle };
            item.Values.Add(Text(1, "URL", "https://example.com/products/" + handle));
            item.Values.Add(Text(1001, "TEMPLATE", "pump-v3"));
            item.Values.Add(Text(2000, "manufacturer", "Example Pump Works Co., Ltd."));
            item.Values.Add(Text(2001, "model", "CP-150-40"));
            item.Values.Add(Text(2002, "batch", "B0042"));
            item.Values.Add(Text(2003, "productionDate", "2026-03-14"));
            item.Values.Add(Text(2004, "revision", "12345"));
            request.Items.Add(item);
        }
        return request.ToByteArray();
    }

    private static IdNode.Grpc.V1.HandleValue Text(int index, string type, string text)
        => new() { Index = index, Type = type, Data = new IdNode.Grpc.V1.ValueData { Text = text } };

    /// <summary>Commits every write (version 1): the create-only batch path never reads.</summary>
    private sealed class CommittingStore : IRecordStore
    {
        public ValueTask<StoredRecord?> GetAsync(string key, CancellationToken cancellationToken = default) => ValueTask.FromResult<StoredRecord?>(null);
        public Task<WriteResult> WriteAsync(RecordWrite write, CancellationToken cancellationToken = default) => Task.FromResult(new WriteResult(WriteOutcome.Committed, 1, 1));

        public Task<IReadOnlyList<WriteResult>> WriteBatchAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken = default)
        {
            var results = new WriteResult[writes.Count];
            results.AsSpan().Fill(new WriteResult(WriteOutcome.Committed, 1, 1));
            return Task.FromResult<IReadOnlyList<WriteResult>>(results);
        }

        public Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<ListedHandle>> ListAsync(string prefix, string? afterKey, int skip, int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<string>> ListPrefixesAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<ChangeEntry>> ReadChangesAsync(long afterSequence, int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
