namespace IdNode.LoadTests.Scenarios;

/// <summary>
/// TODO(issue 6): hot resolve over gRPC from this generator (one GrpcChannel, N HTTP/2
/// connections, HdrHistogram percentiles). Until then gRPC Resolve is measured by run.sh with
/// h2load against the node's h2c endpoint and loadtests/BareGrpc (the "hot grpc" rows), and this
/// scenario reports itself as skipped.
/// </summary>
public sealed class GrpcHotScenario : Scenario
{
    public override string Name => "grpc-hot";

    public override string? SkipReason => "not in the C# generator yet (TODO); run.sh measures gRPC Resolve with h2load";

    public override ValueTask<bool> SendAsync(long sequence, CancellationToken cancellationToken)
        => throw new NotSupportedException(SkipReason);
}
