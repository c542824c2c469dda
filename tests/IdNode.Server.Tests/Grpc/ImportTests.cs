using Grpc.Core;
using IdNode.Core.Ports;
using IdNode.Grpc.V1;
using Microsoft.Extensions.DependencyInjection;

namespace IdNode.Server.Tests.Grpc;

public sealed class ImportTests : IDisposable
{
    // fsync per commit is the embedded store's production default; off here so 100k rows take seconds, not minutes.
    private readonly GrpcTestServer _server = new(new Dictionary<string, string?> { ["IdNode:Store:SyncEveryCommit"] = "false" });

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task A_stream_of_100k_identifiers_is_stored_with_a_summary_of_the_rejected_ones()
    {
        const int total = 100_000;
        const int perMessage = 250;
        var bad = new HashSet<int> { 17, 50_001, 99_999 };

        using var call = _server.Registry.Import(GrpcTestServer.Admin);
        for (var start = 0; start < total; start += perMessage)
        {
            var message = new ImportRequest();
            for (var i = start; i < start + perMessage; i++)
            {
                var item = new RegisterItem { Handle = $"88.999.30/SN-{i:D6}" };
                if (!bad.Contains(i))
                    item.Values.Add(GrpcTestServer.Url($"https://example.cn/sn/{i}"));
                message.Items.Add(item);
            }
            await call.RequestStream.WriteAsync(message);
        }
        await call.RequestStream.CompleteAsync();
        var summary = await call.ResponseAsync;

        Assert.Equal(total - bad.Count, summary.Accepted);
        Assert.Equal(total - bad.Count, summary.Created);
        Assert.Equal(bad.Count, summary.RejectedCount);
        Assert.Equal(bad.Select(i => $"88.999.30/SN-{i:D6}"), summary.Rejected.Select(r => r.Handle));
        Assert.All(summary.Rejected, r => Assert.Equal((int)StatusCode.InvalidArgument, r.Status.Code));
        Assert.All(summary.Rejected, r => Assert.Contains("No values given", r.Status.Message, StringComparison.Ordinal));

        var store = _server.Services.GetRequiredService<IRecordStore>();
        Assert.Equal(total - bad.Count, await store.CountAsync("88.999.30"));
        var last = await _server.Resolver.ResolveAsync(new ResolveRequest { Handle = "88.999.30/SN-099998" });
        Assert.Equal("https://example.cn/sn/99998", last.Values[0].Data.Text);
    }

    [Fact]
    public async Task Reimporting_the_same_items_accepts_them_unchanged_and_different_ones_need_overwrite()
    {
        async Task<ImportSummary> ImportAsync(bool overwrite, string url, int count)
        {
            using var call = _server.Registry.Import(GrpcTestServer.Admin);
            var message = new ImportRequest { Overwrite = overwrite };
            for (var i = 0; i < count; i++)
                message.Items.Add(new RegisterItem { Handle = $"88.999.31/R-{i}", Values = { GrpcTestServer.Url(url) } });
            await call.RequestStream.WriteAsync(message);
            await call.RequestStream.CompleteAsync();
            return await call.ResponseAsync;
        }

        var first = await ImportAsync(false, "https://example.cn/a", 1500);
        var same = await ImportAsync(false, "https://example.cn/a", 1500);
        var different = await ImportAsync(false, "https://example.cn/b", 1500);
        var overwritten = await ImportAsync(true, "https://example.cn/b", 1500);

        Assert.Equal((1500, 1500, 0), (first.Accepted, first.Created, first.RejectedCount));
        Assert.Equal((1500, 0, 0), (same.Accepted, same.Created, same.RejectedCount));
        Assert.Equal((0, 1500), (different.Accepted, different.RejectedCount));
        Assert.Equal(1000, different.Rejected.Count);
        Assert.All(different.Rejected, r => Assert.Equal(101, r.Status.ResponseCode));
        Assert.Equal((1500, 0, 0), (overwritten.Accepted, overwritten.Created, overwritten.RejectedCount));
    }

    [Fact]
    public async Task An_empty_import_is_an_empty_summary()
    {
        using var call = _server.Registry.Import(GrpcTestServer.Admin);
        await call.RequestStream.CompleteAsync();
        var summary = await call.ResponseAsync;
        Assert.Equal((0, 0), (summary.Accepted, summary.RejectedCount));
    }
}
