using IdNode.Core.Registry;

namespace IdNode.Core.Tests.Registry;

public sealed class PrefixGateTests
{
    [Fact]
    public void A_stopped_prefix_blocks_itself_and_derived_prefixes_only()
    {
        var gate = new PrefixGate();
        Assert.True(gate.IsEmpty);
        gate.Set("88.999.1", PrefixState.Stopped);
        Assert.Equal(PrefixState.Stopped, gate.BlockedState("88.999.1"));
        Assert.Equal(PrefixState.Stopped, gate.BlockedState("88.999.1.7"));
        Assert.Null(gate.BlockedState("88.999.10"));
        Assert.Null(gate.BlockedState("88.999"));
        Assert.Equal(PrefixState.Stopped, gate.BlockedStateOfKey("88.999.1/abc"));
        gate.Set("88.999.1", PrefixState.Active);
        Assert.True(gate.IsEmpty);
    }

    [Fact]
    public void Loading_keeps_only_blocking_states()
    {
        var gate = new PrefixGate();
        gate.Load([("88.999.1", PrefixState.Active), ("88.999.2", PrefixState.PendingDelete), ("88.999.3", PrefixState.Stopped)]);
        Assert.Null(gate.BlockedState("88.999.1"));
        Assert.Equal(PrefixState.PendingDelete, gate.BlockedState("88.999.2"));
        Assert.Equal(PrefixState.Stopped, gate.BlockedState("88.999.3"));
    }
}
