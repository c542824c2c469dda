using IdNode.Core.Auth;
using IdNode.Core.Caching;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Json;
using IdNode.Core.Node;
using IdNode.Core.Records;
using IdNode.Core.Services;

namespace IdNode.Core.Tests.Services;

public class RecordServiceTests
{
    private readonly InMemoryStore _store = new();
    private readonly NodeSettings _node = new("88.999");
    private readonly Resolver _resolver;
    private readonly RecordService _service;
    private readonly Principal _admin = Principal.ForHandleIdentity(new HandleIdentity(300, "88.999/ADMIN"), "88.999/ADMIN", "88.999", isNodeAdmin: true);

    public RecordServiceTests()
    {
        _resolver = new Resolver(_store, new L1Cache(1 << 20), new ResolverOptions());
        _service = new RecordService(_store, _node, new WriteAuthorizer(_node), [_resolver]);
    }

    private static HandleValue Value(int index, string data) => new(index, "NOTE", ValueData.FromString(data));

    [Fact]
    public async Task Concurrent_partial_updates_of_one_identifier_lose_nothing()
    {
        var id = Identifier.Parse("88.999.1/contended");
        await _service.PutAsync(id, [Value(1, "base")], PutOptions.Replace, _admin);
        await Task.WhenAll(Enumerable.Range(2, 40).Select(i => Task.Run(() =>
            _service.PutAsync(id, [Value(i, $"v{i}")], new PutOptions(Various: true), _admin))));

        var record = await _service.GetAsync(id);
        Assert.Equal(Enumerable.Range(1, 41), record!.Values.Select(v => v.Index));
        Assert.Equal(41, record.Version);
        Assert.True(_store.Conflicts > 0, "the test should have produced write conflicts");
    }

    [Fact]
    public async Task Writes_invalidate_the_cache_so_the_next_read_sees_them()
    {
        var id = Identifier.Parse("88.999.1/cached");
        Assert.False((await _resolver.ResolveAsync(id.Key)).IsFound);
        await _service.PutAsync(id, [Value(1, "one")], PutOptions.Replace, _admin);
        var first = await _resolver.ResolveAsync(id.Key);
        Assert.Equal("one", first.Record!.Values[0].Data.Text);
        await _service.PutAsync(id, [Value(1, "two")], PutOptions.Replace, _admin);
        Assert.Equal("two", (await _resolver.ResolveAsync(id.Key)).Record!.Values[0].Data.Text);
        await _service.DeleteAsync(id, null, _admin);
        Assert.False((await _resolver.ResolveAsync(id.Key)).IsFound);
    }

    [Fact]
    public async Task Identical_overwrites_do_not_make_new_versions()
    {
        var id = Identifier.Parse("88.999.1/same");
        var first = await _service.PutAsync(id, [Value(1, "x")], PutOptions.Replace, _admin);
        var again = await _service.PutAsync(id, [Value(1, "x")], PutOptions.Replace, _admin);
        Assert.Equal(first.Version, again.Version);
        Assert.False(again.Changed);
    }

    [Fact]
    public async Task Secret_keys_are_hashed_and_kept_when_resubmitted()
    {
        var id = Identifier.Parse("88.999.1/ADMIN");
        await _service.PutAsync(id, [new HandleValue(300, "HS_SECKEY", ValueData.FromString("pw"))], PutOptions.Replace, _admin);
        var stored = (await _service.GetAsync(id))!.Values[0];
        Assert.True(SecretHasher.IsHash(stored.Data.Text));
        Assert.False(stored.IsPublicRead);
        var again = await _service.PutAsync(id, [new HandleValue(300, "HS_SECKEY", ValueData.FromString("pw"))], PutOptions.Replace, _admin);
        Assert.False(again.Changed);
    }

    [Fact]
    public async Task A_created_record_stores_every_value_stamped_with_the_time_of_the_write()
    {
        var now = new DateTimeOffset(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);
        var service = new RecordService(_store, _node, new WriteAuthorizer(_node), [], new FixedTime(now));
        HandleValue[] values = [Value(1, "a") with { Timestamp = 42 }, Value(2, "b") with { Ttl = 60, Permissions = ValuePermissions.AdminRead }];
        var expected = HandleJsonWriter.Stored(values.Select(v => v with { Timestamp = now.ToUnixTimeSeconds() }).ToList());

        var single = Identifier.Parse("88.999.1/stamped-single");
        await service.PutAsync(single, values, PutOptions.Replace, _admin);
        var batched = Identifier.Parse("88.999.1/stamped-batch");
        var outcomes = await service.BatchPutAsync([new BatchPutItem(batched, values)], overwrite: false, _admin);
        // Re-created over a tombstone: a create again, at the tombstone's next version.
        await service.DeleteAsync(single, null, _admin);
        var recreated = await service.PutAsync(single, values, PutOptions.Replace, _admin);

        Assert.True(outcomes[0].Result.Created);
        Assert.True(recreated.Created);
        Assert.Equal(3, recreated.Version);
        Assert.Equal(expected, (await _store.GetAsync(single.Key))!.Data);
        Assert.Equal(expected, (await _store.GetAsync(batched.Key))!.Data);
        Assert.Equal(42, values[0].Timestamp);

        // A created record with a secret key still stores the hash, never the secret.
        var withKey = Identifier.Parse("88.999.1/stamped-key");
        await service.BatchPutAsync([new BatchPutItem(withKey, [Value(1, "a"), new HandleValue(300, "HS_SECKEY", ValueData.FromString("pw"))])], overwrite: false, _admin);
        var stored = (await service.GetAsync(withKey))!.Values;
        Assert.True(SecretHasher.IsHash(stored[1].Data.Text));
        Assert.All(stored, v => Assert.Equal(now.ToUnixTimeSeconds(), v.Timestamp));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task Anonymous_and_foreign_writes_are_refused_before_anything_is_stored()
    {
        var foreign = await Assert.ThrowsAsync<HandleException>(() => _service.PutAsync(Identifier.Parse("88.188/x"), [Value(1, "x")], PutOptions.Replace, _admin));
        Assert.Equal(ResponseCode.ServerNotResponsible, foreign.Code);
        var anonymous = await Assert.ThrowsAsync<HandleException>(() => _service.PutAsync(Identifier.Parse("88.999/x"), [Value(1, "x")], PutOptions.Replace, null));
        Assert.Equal(ResponseCode.AuthenticationNeeded, anonymous.Code);
        Assert.Empty(await _store.ReadChangesAsync(0, 10));
    }
}
