namespace IdNode.LoadTests.Scenarios;

/// <summary>
/// TODO(issue 6, feat/grpc): hot resolve over gRPC (Resolve of one identifier on the h2c endpoint,
/// one GrpcChannel with N HTTP/2 connections). The gRPC API is not on main yet, so this scenario
/// reports itself as skipped and run.sh prints it as such.
/// </summary>
public sealed class GrpcHotScenario : Scenario
{
    public override string Name => "grpc-hot";

    public override string? SkipReason => "the gRPC API is not on main yet (TODO: feat/grpc)";

    public override ValueTask<bool> SendAsync(long sequence, CancellationToken cancellationToken)
        => throw new NotSupportedException(SkipReason);
}
