using IdNode.Core.Caching;

namespace IdNode.Server.Hosting;

/// <summary>Runs the change-log follower of <see cref="CacheCoherence"/> for the life of the node.</summary>
public sealed class CacheCoherenceService(CacheCoherence coherence) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Hosted services start before the server accepts requests: finding the end of the change
        // log here means nothing can be cached from before the point the follower starts at.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await coherence.StartAsync(limit.Token);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Store unreachable at start: the node serves what L2 has, and the follower keeps trying.
        }
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => coherence.RunAsync(stoppingToken);
}
