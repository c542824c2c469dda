using Grpc.Core;
using IdNode.Core.Json;
using IdNode.Core.Ports;
using IdNode.Grpc.V1;
using Microsoft.Extensions.DependencyInjection;

namespace IdNode.Server.Tests.Grpc;

public sealed class ResolverServiceTests : IClassFixture<GrpcTestServer>
{
    private readonly GrpcTestServer _server;

    public ResolverServiceTests(GrpcTestServer server) => _server = server;

    private async Task CreateAsync(string handle, params HandleValue[] values)
    {
        var request = new CreateRequest { Handle = handle, Overwrite = true };
        request.Values.Add(values);
        await _server.Registry.CreateAsync(request, GrpcTestServer.Admin);
    }

    private static HandleValue Value(int index, string type, string text, uint? permissions = null)
    {
        var v = new HandleValue { Index = index, Type = type, Data = new ValueData { Text = text } };
        if (permissions is { } p)
            v.Permissions = p;
        return v;
    }

    [Fact]
    public async Task Resolve_returns_the_public_values_to_an_anonymous_caller()
    {
        await CreateAsync("88.999.10/Pump-1", GrpcTestServer.Url("https://example.cn/p/1"), Value(2, "SECRET_NOTE", "internal", permissions: 0b1100));

        var response = await _server.Resolver.ResolveAsync(new ResolveRequest { Handle = "88.999.10/Pump-1" });

        Assert.Equal("88.999.10/Pump-1", response.Handle);
        var only = Assert.Single(response.Values);
        Assert.Equal(1, only.Index);
        Assert.Equal("https://example.cn/p/1", only.Data.Text);
        Assert.Equal(86400, only.Ttl);
        Assert.Equal(14u, only.Permissions);
        Assert.True(only.Timestamp > 0);
        Assert.True(response.Version >= 1);
    }

    [Fact]
    public async Task Resolve_shows_private_values_to_an_administrator_unless_public_only_is_asked()
    {
        await CreateAsync("88.999.10/Pump-2", GrpcTestServer.Url("https://example.cn/p/2"), Value(2, "SECRET_NOTE", "internal", permissions: 0b1100));

        var full = await _server.Resolver.ResolveAsync(new ResolveRequest { Handle = "88.999.10/Pump-2" }, GrpcTestServer.Admin);
        var publicOnly = await _server.Resolver.ResolveAsync(new ResolveRequest { Handle = "88.999.10/Pump-2", PublicOnly = true }, GrpcTestServer.Admin);

        Assert.Equal([1, 2], full.Values.Select(v => v.Index));
        Assert.Equal(12u, full.Values[1].Permissions);
        Assert.Equal([1], publicOnly.Values.Select(v => v.Index));
    }

    [Fact]
    public async Task Resolve_filters_by_type_with_subtypes_and_by_index()
    {
        await CreateAsync("88.999.10/Filtered", GrpcTestServer.Url("https://example.cn/f"), Value(2, "EMAIL", "a@example.cn"),
            Value(3, "EMAIL.work", "b@example.cn"), Value(4, "EMAILS", "c@example.cn"), Value(5, "DESC", "d"));

        var byType = new ResolveRequest { Handle = "88.999.10/Filtered" };
        byType.FilterTypes.Add("email.");
        var exact = new ResolveRequest { Handle = "88.999.10/Filtered" };
        exact.FilterTypes.Add("EMAIL");
        var typeOrIndex = new ResolveRequest { Handle = "88.999.10/Filtered" };
        typeOrIndex.FilterTypes.Add("URL");
        typeOrIndex.FilterIndexes.Add(5);

        Assert.Equal([2, 3], (await _server.Resolver.ResolveAsync(byType)).Values.Select(v => v.Index));
        Assert.Equal([2], (await _server.Resolver.ResolveAsync(exact)).Values.Select(v => v.Index));
        Assert.Equal([1, 5], (await _server.Resolver.ResolveAsync(typeOrIndex)).Values.Select(v => v.Index));
    }

    [Fact]
    public async Task Resolve_with_filters_that_match_nothing_is_not_found_with_rc_200()
    {
        await CreateAsync("88.999.10/NoMatch", GrpcTestServer.Url("https://example.cn/n"));
        var request = new ResolveRequest { Handle = "88.999.10/NoMatch" };
        request.FilterTypes.Add("EMAIL");

        var e = await GrpcAssert.FailsWith(StatusCode.NotFound, () => _server.Resolver.ResolveAsync(request).ResponseAsync, responseCode: 200);
        Assert.Contains("filters", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_of_an_unknown_identifier_is_not_found_with_rc_100()
    {
        var e = await GrpcAssert.FailsWith(StatusCode.NotFound, () => _server.Resolver.ResolveAsync(new ResolveRequest { Handle = "88.999.10/never" }).ResponseAsync, responseCode: 100);
        Assert.Contains("88.999.10/never", e.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-slash")]
    [InlineData("88.999/")]
    public async Task Resolve_of_a_malformed_identifier_is_invalid_argument_naming_the_field(string handle)
    {
        var e = await GrpcAssert.FailsWith(StatusCode.InvalidArgument, () => _server.Resolver.ResolveAsync(new ResolveRequest { Handle = handle }).ResponseAsync, responseCode: 102);
        Assert.StartsWith("handle: ", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authoritative_resolve_bypasses_the_cache()
    {
        await CreateAsync("88.999.10/Cached", GrpcTestServer.Url("https://example.cn/old"));
        var request = new ResolveRequest { Handle = "88.999.10/Cached" };
        Assert.Equal("https://example.cn/old", (await _server.Resolver.ResolveAsync(request)).Values[0].Data.Text);

        // A write the cache is not told about (as another node sharing the store would make it).
        var store = _server.Services.GetRequiredService<IRecordStore>();
        var stored = await store.GetAsync("88.999.10/Cached");
        var values = new[] { new Core.Records.HandleValue(1, "URL", Core.Records.ValueData.FromString("https://example.cn/new"), Timestamp: 1) };
        var result = await store.WriteAsync(new RecordWrite(stored!.Key, stored.Handle, "88.999.10", stored.Version, HandleJsonWriter.Stored(values), Core.Ports.ChangeKind.Update, "test"));
        Assert.True(result.Committed);

        Assert.Equal("https://example.cn/old", (await _server.Resolver.ResolveAsync(request)).Values[0].Data.Text);
        request.Authoritative = true;
        Assert.Equal("https://example.cn/new", (await _server.Resolver.ResolveAsync(request)).Values[0].Data.Text);
    }

    // The cached answer (encoded once per cache entry) must follow every write: a new version is a
    // new entry, so the next resolve after an update or delete can never see the old bytes.
    [Fact]
    public async Task Cached_resolve_after_an_update_returns_the_new_version()
    {
        await CreateAsync("88.999.10/Hot-Update", GrpcTestServer.Url("https://example.cn/v1"));
        var request = new ResolveRequest { Handle = "88.999.10/Hot-Update" };
        var first = await _server.Resolver.ResolveAsync(request);
        var cached = await _server.Resolver.ResolveAsync(request);
        Assert.Equal(first, cached);

        var update = new UpdateRequest { Handle = "88.999.10/Hot-Update" };
        update.Values.Add(GrpcTestServer.Url("https://example.cn/v2"));
        var written = await _server.Registry.UpdateAsync(update, GrpcTestServer.Admin);

        var after = await _server.Resolver.ResolveAsync(request);
        Assert.Equal("https://example.cn/v2", Assert.Single(after.Values).Data.Text);
        Assert.Equal(written.Version, after.Version);
        Assert.True(after.Version > cached.Version);
        Assert.Equal(after, await _server.Resolver.ResolveAsync(request));
    }

    [Fact]
    public async Task Cached_resolve_after_a_delete_is_not_found_with_rc_100()
    {
        await CreateAsync("88.999.10/Hot-Delete", GrpcTestServer.Url("https://example.cn/d"));
        var request = new ResolveRequest { Handle = "88.999.10/Hot-Delete" };
        await _server.Resolver.ResolveAsync(request);
        await _server.Resolver.ResolveAsync(request);

        await _server.Registry.DeleteAsync(new DeleteRequest { Handle = "88.999.10/Hot-Delete" }, GrpcTestServer.Admin);

        var e = await GrpcAssert.FailsWith(StatusCode.NotFound, () => _server.Resolver.ResolveAsync(request).ResponseAsync, responseCode: 100);
        Assert.Contains("88.999.10/Hot-Delete", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cached_identifier_still_gives_credentials_their_own_answer()
    {
        await CreateAsync("88.999.10/Hot-Private", GrpcTestServer.Url("https://example.cn/hp"), Value(2, "SECRET_NOTE", "internal", permissions: 0b1100));
        var request = new ResolveRequest { Handle = "88.999.10/Hot-Private" };
        // Anonymous calls first, so the public answer is cached before the authorised ones come.
        Assert.Equal([1], (await _server.Resolver.ResolveAsync(request)).Values.Select(v => v.Index));
        Assert.Equal([1], (await _server.Resolver.ResolveAsync(request)).Values.Select(v => v.Index));

        Assert.Equal([1, 2], (await _server.Resolver.ResolveAsync(request, GrpcTestServer.Admin)).Values.Select(v => v.Index));
        await GrpcAssert.FailsWith(StatusCode.Unauthenticated,
            () => _server.Resolver.ResolveAsync(request, GrpcTestServer.Basic($"300:{GrpcTestServer.Prefix}/ADMIN", "wrong-secret")).ResponseAsync, responseCode: 403);
    }

    [Fact]
    public async Task A_filtered_answer_encoded_per_call_equals_the_cached_one()
    {
        await CreateAsync("88.999.10/Hot-Filter", GrpcTestServer.Url("https://example.cn/hf"));
        var plain = new ResolveRequest { Handle = "88.999.10/Hot-Filter" };
        var filtered = new ResolveRequest { Handle = "88.999.10/Hot-Filter" };
        filtered.FilterIndexes.Add(1);

        await _server.Resolver.ResolveAsync(plain);
        Assert.Equal(await _server.Resolver.ResolveAsync(filtered), await _server.Resolver.ResolveAsync(plain));
    }

    [Fact]
    public async Task BatchResolve_gives_every_item_its_own_status_in_request_order()
    {
        await CreateAsync("88.999.10/Batch-A", GrpcTestServer.Url("https://example.cn/a"));
        var request = new BatchResolveRequest();
        request.Handles.Add(["88.999.10/Batch-A", "88.999.10/missing", "not an identifier", "88.999.10/batch-a"]);

        var response = await _server.Resolver.BatchResolveAsync(request);

        Assert.Equal(4, response.Results.Count);
        Assert.Equal((int)StatusCode.OK, response.Results[0].Status.Code);
        Assert.Equal("https://example.cn/a", response.Results[0].Record.Values[0].Data.Text);
        Assert.Equal((int)StatusCode.NotFound, response.Results[1].Status.Code);
        Assert.Equal(100, response.Results[1].Status.ResponseCode);
        Assert.Null(response.Results[1].Record);
        Assert.Equal((int)StatusCode.InvalidArgument, response.Results[2].Status.Code);
        Assert.StartsWith("handles[2]: ", response.Results[2].Status.Message, StringComparison.Ordinal);
        // Suffixes are case-sensitive by default.
        Assert.Equal((int)StatusCode.NotFound, response.Results[3].Status.Code);
        Assert.Equal("88.999.10/batch-a", response.Results[3].Handle);
    }

    [Fact]
    public async Task BatchResolve_of_more_than_2000_identifiers_is_invalid_argument()
    {
        var request = new BatchResolveRequest();
        request.Handles.Add(Enumerable.Range(0, 2001).Select(i => $"88.999.10/x{i}"));

        var e = await GrpcAssert.FailsWith(StatusCode.InvalidArgument, () => _server.Resolver.BatchResolveAsync(request).ResponseAsync);
        Assert.Contains("handles: at most 2000", e.Status.Detail, StringComparison.Ordinal);
    }
}
