namespace IdNode.Integration.Tests;

/// <summary>
/// Node-process tests stop and start servers and measure timings: they run one at a time, never
/// beside each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NodeProcessCollection
{
    public const string Name = "node processes";
}
