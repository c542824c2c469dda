using IdNode.Core.Auth;
using IdNode.Core.Caching;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Node;
using IdNode.Core.Records;
using IdNode.Core.Services;
using IdNode.Core.Tests.Services;

namespace IdNode.Core.Tests.Caching;

/// <summary>
/// End to end with the in-memory store: the change-log sequences of a batch reach the follower,
/// which then reads only what other nodes wrote in between.
/// </summary>
public sealed class OwnBatchFollowTests
{
    private readonly InMemoryStore _store = new();
    private readonly NodeSettings _node = new("88.999");
    private readonly Principal _admin = Principal.ForHandleIdentity(new HandleIdentity(300, "88.999/ADMIN"), "88.999/ADMIN", "88.999", isNodeAdmin: true);

    private static List<BatchPutItem> Items(int from, int count)
        => Enumerable.Range(from, count)
            .Select(i => new BatchPutItem(Identifier.Parse($"88.999.1/B-{i:D6}"), [new HandleValue(1, "URL", ValueData.FromString("https://example.com/b"))]))
            .ToList();

    [Fact]
    public async Task The_follower_reads_only_the_other_nodes_write_between_this_nodes_batches()
    {
        var resolver = new Resolver(_store, new L1Cache(1 << 20), new ResolverOptions());
        var coherence = new CacheCoherence(resolver, _store, new CoherenceOptions { BatchSize = 50 });
        var service = new RecordService(_store, _node, new WriteAuthorizer(_node), [coherence]);
        var otherNode = new RecordService(_store, _node, new WriteAuthorizer(_node), []);
        await coherence.StartAsync(CancellationToken.None);

        Assert.All(await service.BatchPutAsync(Items(0, 300), overwrite: false, _admin), o => Assert.True(o.Succeeded));
        await otherNode.PutAsync(Identifier.Parse("88.999.1/OTHER"), [new HandleValue(1, "URL", ValueData.FromString("x"))], PutOptions.Replace, _admin);
        Assert.All(await service.BatchPutAsync(Items(300, 300), overwrite: false, _admin), o => Assert.True(o.Succeeded));
        await coherence.PollOnceAsync(CancellationToken.None);

        Assert.Equal(601, coherence.LastSequence);
        Assert.Equal(600, resolver.Stats.OwnChangesSkipped);
        Assert.Equal(1, resolver.Stats.ChangesFollowed);
    }
}
