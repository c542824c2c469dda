using IdNode.Core.Node;
using IdNode.Core.Ports;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IdNode.Server.Hosting;

/// <summary>Ready means the store answers: one O(1) counter read. Feeds <c>/health</c> and gRPC health (SERVING / NOT_SERVING).</summary>
public sealed class StoreHealthCheck(IRecordStore store, NodeSettings node) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.CountAsync(node.Prefix, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("store unavailable", e);
        }
    }
}
