using Grpc.Core;
using IdNode.Core.Ports;
using IdNode.Grpc.V1;
using Microsoft.Extensions.DependencyInjection;

namespace IdNode.Server.Tests.Grpc;

public sealed class WatchTests : IDisposable
{
    private readonly GrpcTestServer _server = new();

    // Guards against a hang only; no assertion depends on timing.
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromMinutes(2));

    public void Dispose()
    {
        _deadline.Dispose();
        _server.Dispose();
    }

    private async Task WriteChangesAsync(int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            var handle = $"88.999.40/W-{i % 37}";
            // A mix of creates, updates and deletes, so every change kind flows through the feed.
            if (i % 11 == 10)
            {
                try
                {
                    await _server.Registry.DeleteAsync(new DeleteRequest { Handle = handle }, GrpcTestServer.Admin);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                {
                }
                continue;
            }
            await _server.Registry.CreateAsync(new CreateRequest { Handle = handle, Overwrite = true, Values = { GrpcTestServer.Url($"https://example.cn/w/{i}") } }, GrpcTestServer.Admin);
        }
    }

    [Fact]
    public async Task Watch_sees_every_change_exactly_once_and_in_order_across_a_reconnect()
    {
        var seen = new List<ChangeEvent>();

        // First connection: follows the log while a writer commits, then drops mid-stream.
        var writer = WriteChangesAsync(0, 300);
        using (var dropped = CancellationTokenSource.CreateLinkedTokenSource(_deadline.Token))
        using (var call = _server.Changes.Watch(new WatchRequest { FromSequence = 0 }, GrpcTestServer.Admin, cancellationToken: dropped.Token))
        {
            while (seen.Count < 120 && await call.ResponseStream.MoveNext(_deadline.Token))
                seen.Add(call.ResponseStream.Current);
            await dropped.CancelAsync();
        }

        // Writes go on while nobody watches.
        await writer;
        await WriteChangesAsync(300, 100);

        var store = _server.Services.GetRequiredService<IRecordStore>();
        var expected = await store.ReadChangesAsync(0, 100_000);

        // Second connection resumes after the last sequence received and catches up, then follows.
        using (var call = _server.Changes.Watch(new WatchRequest { FromSequence = seen[^1].Sequence }, GrpcTestServer.Admin, cancellationToken: _deadline.Token))
        {
            var follower = WriteChangesAsync(400, 20);
            while (seen[^1].Sequence < expected[^1].Sequence + 20 && await call.ResponseStream.MoveNext(_deadline.Token))
                seen.Add(call.ResponseStream.Current);
            await follower;
        }

        var all = await store.ReadChangesAsync(0, 100_000);
        Assert.Equal(all.Select(c => c.Sequence), seen.Select(c => c.Sequence));
        Assert.Equal(all.Select(c => (c.Handle, c.Version, (int)c.Kind)), seen.Select(c => (c.Handle, c.Version, (int)c.Kind)));
        Assert.Contains(seen, c => c.Kind == IdNode.Grpc.V1.ChangeKind.Delete);
        Assert.Contains(seen, c => c.Kind == IdNode.Grpc.V1.ChangeKind.Create);
        Assert.Contains(seen, c => c.Kind == IdNode.Grpc.V1.ChangeKind.Update);
    }

    [Fact]
    public async Task Watch_from_a_sequence_skips_the_earlier_changes()
    {
        await WriteChangesAsync(0, 5);
        var store = _server.Services.GetRequiredService<IRecordStore>();
        var all = await store.ReadChangesAsync(0, 1000);

        using var call = _server.Changes.Watch(new WatchRequest { FromSequence = all[2].Sequence }, GrpcTestServer.Admin, cancellationToken: _deadline.Token);
        Assert.True(await call.ResponseStream.MoveNext(_deadline.Token));

        Assert.Equal(all[3].Sequence, call.ResponseStream.Current.Sequence);
        Assert.Equal(all[3].Handle, call.ResponseStream.Current.Handle);
    }

    [Fact]
    public async Task Watch_from_a_negative_sequence_is_invalid_argument()
    {
        using var call = _server.Changes.Watch(new WatchRequest { FromSequence = -1 }, GrpcTestServer.Admin, cancellationToken: _deadline.Token);
        var e = await GrpcAssert.FailsWith(StatusCode.InvalidArgument, () => call.ResponseStream.MoveNext(_deadline.Token));
        Assert.StartsWith("from_sequence: ", e.Status.Detail, StringComparison.Ordinal);
    }
}
