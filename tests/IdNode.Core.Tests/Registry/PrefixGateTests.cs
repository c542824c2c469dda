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

    [Fact]
    public void A_self_hosted_prefix_refers_resolution_and_refuses_writes_unless_stopped()
    {
        var gate = new PrefixGate();
        gate.Load([("88.999.1", PrefixState.Active, "https://ent.example.cn"), ("88.999.2", PrefixState.Stopped, "https://other.example.cn"),
            ("88.999.3", PrefixState.Active, null)]);
        Assert.Null(gate.Find("88.999.3"));
        Assert.Null(gate.BlockedState("88.999.1.5"));
        var entry = gate.FindOfKey("88.999.1.5/abc")!.Value;
        var resolve = Assert.IsType<IdNode.Core.Handles.ReferralException>(PrefixGate.Refusal(entry, "88.999.1.5", "88.999.1.5/abc", write: false));
        Assert.Equal(IdNode.Core.Handles.ResponseCode.ServiceReferral, resolve.Code);
        Assert.Equal("https://ent.example.cn/api/handles/88.999.1.5/abc", resolve.Location);
        Assert.Equal(IdNode.Core.Handles.ResponseCode.ServerNotResponsible, PrefixGate.Refusal(entry, "88.999.1.5", "88.999.1.5/abc", write: true).Code);
        // Stopped wins over self-hosted.
        Assert.Equal(PrefixState.Stopped, gate.BlockedState("88.999.2"));
        Assert.IsNotType<IdNode.Core.Handles.ReferralException>(PrefixGate.Refusal(gate.Find("88.999.2")!.Value, "88.999.2", "88.999.2/x", write: false));
        gate.Set("88.999.1", PrefixState.Active);
        Assert.Null(gate.Find("88.999.1"));
    }

    [Theory]
    [InlineData("https://ent.example.cn:8443/", "https://ent.example.cn:8443")]
    [InlineData("HTTP://Ent.Example.cn/idnode/", "http://ent.example.cn/idnode")]
    [InlineData("10.1.2.3:8000", "http://10.1.2.3:8000")]
    [InlineData("[::1]:8000", "http://[::1]:8000")]
    public void Sites_are_normalised_to_a_base_url(string input, string expected)
    {
        Assert.Null(EnterpriseSite.Normalize(input, out var site));
        Assert.Equal(expected, site);
    }
}
