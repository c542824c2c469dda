using Grpc.Core;
using IdNode.Core.Handles;
using IdNode.Core.Ports;
using IdNode.Grpc.V1;

namespace IdNode.Server.Grpc;

/// <summary>
/// The change feed: catches up from the store's change log after <c>from_sequence</c>, then
/// follows it. The log is the only source (never an in-memory queue), so what a watcher sees is
/// what committed, in sequence order, each entry once; a reconnect resumes from the last sequence.
/// </summary>
public sealed class ChangesService(IRecordStore store, ChangeSignal signal, GrpcAuthenticator authenticator) : Changes.ChangesBase
{
    public const int ReadBatch = 1000;

    /// <summary>
    /// Upper bound on how long a change committed by another process sharing the store takes to
    /// appear; local commits wake watchers at once through <see cref="ChangeSignal"/>.
    /// </summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(150);

    public override async Task Watch(WatchRequest request, IServerStreamWriter<ChangeEvent> responseStream, ServerCallContext context)
    {
        if (request.FromSequence < 0)
            throw new HandleException(ResponseCode.ProtocolError, $"from_sequence: 0 or more, got {request.FromSequence}");
        // The feed names every identifier of every prefix the node serves: the node admin's only.
        var principal = await authenticator.RequireAsync(context);
        if (!principal.IsNodeAdmin)
            throw new HandleException(ResponseCode.InsufficientPermissions, $"Insufficient permissions: the change feed is for the node admin, not {principal.Name}");

        var ct = context.CancellationToken;
        var last = request.FromSequence;
        while (!ct.IsCancellationRequested)
        {
            var wake = signal.Next;
            var changes = await store.ReadChangesAsync(last, ReadBatch, ct);
            foreach (var c in changes)
            {
                await responseStream.WriteAsync(new ChangeEvent
                {
                    Sequence = c.Sequence,
                    Handle = c.Handle,
                    Version = c.Version,
                    Kind = (IdNode.Grpc.V1.ChangeKind)(int)c.Kind,
                    At = c.At,
                }, ct);
                last = c.Sequence;
            }
            if (changes.Count < ReadBatch)
                await Task.WhenAny(wake, Task.Delay(PollInterval, ct));
        }
    }
}
