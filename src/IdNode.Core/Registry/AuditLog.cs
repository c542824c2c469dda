using System.Threading.Channels;
using IdNode.Core.Ports;

namespace IdNode.Core.Registry;

/// <summary>
/// Appends audit entries without making the audited request wait for a database write: entries go
/// to a bounded queue and <see cref="RunAsync"/> writes them in batches. The bound keeps a flood of
/// denied requests from exhausting memory; entries dropped at the bound are counted in
/// <see cref="Dropped"/>.
/// </summary>
public sealed class AuditLog(IRegistryStore store, TimeProvider? time = null)
{
    private const int Capacity = 100_000;
    private const int MaxBatch = 1000;

    private readonly Channel<object> _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _dropped;

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Record(string actor, string action, string? target, string? prefix, long? enterpriseId, string outcome, string? detail = null)
    {
        var entry = new AuditEntry(0, _time.GetUtcNow().ToUnixTimeSeconds(), actor, action, Clip(target), prefix, enterpriseId, outcome, Clip(detail));
        if (!_queue.Writer.TryWrite(entry))
            Interlocked.Increment(ref _dropped);
    }

    /// <summary>Completes once everything recorded before the call is stored (audit queries call it first).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(done, cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditEntry>(MaxBatch);
        var waiters = new List<TaskCompletionSource>();
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (batch.Count < MaxBatch && reader.TryRead(out var item))
                {
                    if (item is AuditEntry e)
                        batch.Add(e);
                    else
                        waiters.Add((TaskCompletionSource)item);
                }
                await WriteAsync(batch, stoppingToken).ConfigureAwait(false);
                foreach (var w in waiters)
                    w.TrySetResult();
                waiters.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: write what is already queued, without waiting on a cancelled token.
            while (reader.TryRead(out var item))
                if (item is AuditEntry e)
                    batch.Add(e);
            await WriteAsync(batch, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(List<AuditEntry> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
            return;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.AppendAuditAsync(batch.ToArray(), cancellationToken).ConfigureAwait(false);
                batch.Clear();
                return;
            }
            catch (StoreUnavailableException) when (attempt < 5)
            {
                // The store recovers by itself; keep the entries and try again shortly.
                await Task.Delay(attempt * 200, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreUnavailableException)
            {
                Interlocked.Add(ref _dropped, batch.Count);
                batch.Clear();
                return;
            }
        }
    }

    // Over-long attacker input must not bloat the log: the first 512 characters identify it.
    private static string? Clip(string? text) => text is { Length: > 512 } ? text[..512] + "…" : text;
}
