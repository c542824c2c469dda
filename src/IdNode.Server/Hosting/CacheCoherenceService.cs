using IdNode.Core.Caching;

namespace IdNode.Server.Hosting;

/// <summary>Runs the change-log follower of <see cref="CacheCoherence"/> for the life of the node.</summary>
public sealed class CacheCoherenceService(CacheCoherence coherence) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => coherence.RunAsync(stoppingToken);
}
