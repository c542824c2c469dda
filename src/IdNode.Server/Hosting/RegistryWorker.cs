using IdNode.Core.Ports;
using IdNode.Core.Registry;

namespace IdNode.Server.Hosting;

/// <summary>
/// Writes the audit queue to the store and keeps the stopped-prefix gate current: loaded before
/// the node serves, then refreshed every few seconds so a prefix stopped through another node
/// sharing the database is refused here too.
/// </summary>
public sealed class RegistryWorker(AuditLog audit, RegistryService registry, ILogger<RegistryWorker> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _audit;
    private Task? _refresh;
    private volatile bool _disposed;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await registry.RefreshGateAsync(cancellationToken);
        _audit = Task.Run(() => audit.RunAsync(_stopping.Token), CancellationToken.None);
        _refresh = Task.Run(RefreshLoopAsync, CancellationToken.None);
    }

    private async Task RefreshLoopAsync()
    {
        using var timer = new PeriodicTimer(RefreshEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    await registry.RefreshGateAsync(_stopping.Token);
                }
                catch (StoreUnavailableException e)
                {
                    // Keep the last known set; the next tick retries.
                    Log.StoreUnavailable(logger, "refresh", "/prefix-gate", e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The test host may dispose services before stopping them.
        if (_disposed)
            return;
        await _stopping.CancelAsync();
        if (_audit is not null)
            await _audit.WaitAsync(cancellationToken);
        if (_refresh is not null)
            await _refresh.WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        _disposed = true;
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
