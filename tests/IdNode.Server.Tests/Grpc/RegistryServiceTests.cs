using Google.Protobuf;
using Grpc.Core;
using IdNode.Grpc.V1;

namespace IdNode.Server.Tests.Grpc;

public sealed class RegistryServiceTests : IClassFixture<GrpcTestServer>
{
    private readonly GrpcTestServer _server;

    public RegistryServiceTests(GrpcTestServer server) => _server = server;

    private static CreateRequest Create(string handle, bool overwrite = false, params HandleValue[] values)
    {
        var request = new CreateRequest { Handle = handle, Overwrite = overwrite };
        request.Values.Add(values.Length > 0 ? values : [GrpcTestServer.Url("https://example.cn/" + handle)]);
        return request;
    }

    private Task<ResolveResponse> ResolveAsync(string handle)
        => _server.Resolver.ResolveAsync(new ResolveRequest { Handle = handle }, GrpcTestServer.Admin).ResponseAsync;

    [Fact]
    public async Task Create_stores_every_data_format_and_resolve_returns_it()
    {
        var admin = new HandleValue
        {
            Index = 100, Type = "HS_ADMIN",
            Data = new ValueData { Admin = new AdminRef { Handle = "88.999/ADMIN", Index = 300, Permissions = "111111111111" } },
        };
        var binary = new HandleValue { Index = 2, Type = "BLOB", Data = new ValueData { Binary = ByteString.CopyFrom(1, 2, 3, 255) }, Ttl = 60 };
        var json = new HandleValue { Index = 3, Type = "10320/loc", Data = new ValueData { Json = new JsonData { Format = "vlist", Json = "[{\"handle\":\"88.999.11/b\",\"index\":1}]" } } };
        var reference = GrpcTestServer.Url("https://example.cn/formats", index: 1);
        reference.References.Add(new ValueReference { Handle = "88.999.11/part", Index = 1 });

        var created = await _server.Registry.CreateAsync(Create("88.999.11/Formats", false, reference, binary, json, admin), GrpcTestServer.Admin);
        var resolved = await ResolveAsync("88.999.11/Formats");

        Assert.True(created.Created);
        Assert.True(created.Changed);
        Assert.Equal(1, created.Version);
        Assert.Equal("88.999.11/Formats", created.Handle);
        Assert.Equal([1, 2, 3, 100], resolved.Values.Select(v => v.Index));
        Assert.Equal("88.999.11/part", Assert.Single(resolved.Values[0].References).Handle);
        Assert.Equal(new byte[] { 1, 2, 3, 255 }, resolved.Values[1].Data.Binary.ToByteArray());
        Assert.Equal(60, resolved.Values[1].Ttl);
        Assert.Equal("vlist", resolved.Values[2].Data.Json.Format);
        Assert.Contains("88.999.11/b", resolved.Values[2].Data.Json.Json, StringComparison.Ordinal);
        Assert.Equal("111111111111", resolved.Values[3].Data.Admin.Permissions);
        Assert.Equal(300, resolved.Values[3].Data.Admin.Index);
    }

    [Fact]
    public async Task Create_of_an_existing_identifier_is_already_exists_unless_overwrite()
    {
        await _server.Registry.CreateAsync(Create("88.999.11/Twice"), GrpcTestServer.Admin);

        await GrpcAssert.FailsWith(StatusCode.AlreadyExists, () => _server.Registry.CreateAsync(Create("88.999.11/Twice"), GrpcTestServer.Admin).ResponseAsync, responseCode: 101);
        var replaced = await _server.Registry.CreateAsync(Create("88.999.11/Twice", true, GrpcTestServer.Url("https://example.cn/replaced")), GrpcTestServer.Admin);

        Assert.False(replaced.Created);
        Assert.True(replaced.Changed);
        Assert.Equal(2, replaced.Version);
        Assert.Equal("https://example.cn/replaced", (await ResolveAsync("88.999.11/Twice")).Values[0].Data.Text);
    }

    [Fact]
    public async Task Update_adds_and_replaces_values_and_keeps_the_others()
    {
        await _server.Registry.CreateAsync(Create("88.999.11/Updated", false, GrpcTestServer.Url("https://example.cn/u"), GrpcTestServer.Url("https://example.cn/second", 2)), GrpcTestServer.Admin);
        var update = new UpdateRequest { Handle = "88.999.11/Updated" };
        update.Values.Add(GrpcTestServer.Url("https://example.cn/changed", 2));
        update.Values.Add(new HandleValue { Index = 7, Type = "DESC", Data = new ValueData { Text = "added" } });

        var response = await _server.Registry.UpdateAsync(update, GrpcTestServer.Admin);
        var resolved = await ResolveAsync("88.999.11/Updated");

        Assert.False(response.Created);
        Assert.Equal(2, response.Version);
        Assert.Equal(["https://example.cn/u", "https://example.cn/changed", "added"], resolved.Values.Select(v => v.Data.Text));
    }

    [Fact]
    public async Task Update_of_an_unknown_identifier_is_not_found()
    {
        var update = new UpdateRequest { Handle = "88.999.11/absent" };
        update.Values.Add(GrpcTestServer.Url("https://example.cn/x"));
        await GrpcAssert.FailsWith(StatusCode.NotFound, () => _server.Registry.UpdateAsync(update, GrpcTestServer.Admin).ResponseAsync, responseCode: 100);
    }

    [Fact]
    public async Task Delete_removes_values_then_the_identifier()
    {
        await _server.Registry.CreateAsync(Create("88.999.11/Deleted", false, GrpcTestServer.Url("https://example.cn/d"), GrpcTestServer.Url("https://example.cn/d2", 2)), GrpcTestServer.Admin);

        var partial = new DeleteRequest { Handle = "88.999.11/Deleted" };
        partial.Indexes.Add(2);
        await _server.Registry.DeleteAsync(partial, GrpcTestServer.Admin);
        Assert.Equal([1], (await ResolveAsync("88.999.11/Deleted")).Values.Select(v => v.Index));

        var whole = await _server.Registry.DeleteAsync(new DeleteRequest { Handle = "88.999.11/Deleted" }, GrpcTestServer.Admin);
        Assert.Equal(3, whole.Version);
        await GrpcAssert.FailsWith(StatusCode.NotFound, () => ResolveAsync("88.999.11/Deleted"), responseCode: 100);
        await GrpcAssert.FailsWith(StatusCode.NotFound, () => _server.Registry.DeleteAsync(new DeleteRequest { Handle = "88.999.11/Deleted" }, GrpcTestServer.Admin).ResponseAsync, responseCode: 100);
    }

    [Fact]
    public async Task Delete_of_a_missing_value_index_is_not_found_with_rc_200()
    {
        await _server.Registry.CreateAsync(Create("88.999.11/NoIndex"), GrpcTestServer.Admin);
        var request = new DeleteRequest { Handle = "88.999.11/NoIndex" };
        request.Indexes.Add(9);
        await GrpcAssert.FailsWith(StatusCode.NotFound, () => _server.Registry.DeleteAsync(request, GrpcTestServer.Admin).ResponseAsync, responseCode: 200);
    }

    public static TheoryData<HandleValue, string> InvalidValues => new()
    {
        { new HandleValue { Index = 1, Type = "URL" }, "values[0].data: one of text, binary, admin or json must be set" },
        { new HandleValue { Index = 1, Type = "URL", Data = new ValueData { Text = "x" }, Permissions = 16 }, "values[0].permissions: 4 bits" },
        { new HandleValue { Index = 1, Type = "X", Data = new ValueData { Json = new JsonData { Format = "site", Json = "{not json" } } }, "values[0].data.json.json: not valid JSON" },
        { new HandleValue { Index = 1, Type = "X", Data = new ValueData { Json = new JsonData { Format = "string", Json = "\"a\"" } } }, "values[0].data.json.format" },
        { new HandleValue { Index = 0, Type = "URL", Data = new ValueData { Text = "x" } }, "Invalid index 0" },
        { new HandleValue { Index = 1, Type = "", Data = new ValueData { Text = "x" } }, "empty type" },
        { new HandleValue { Index = 1, Type = "URL", Data = new ValueData { Text = "x" }, Ttl = -1 }, "negative ttl" },
        { new HandleValue { Index = 100, Type = "URL", Data = new ValueData { Text = "x" } }, "reserved for HS_ADMIN" },
        { new HandleValue { Index = 5, Type = "HS_ADMIN", Data = new ValueData { Admin = new AdminRef { Handle = "88.999/ADMIN", Index = 300, Permissions = "11" } } }, "12 characters" },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public async Task Invalid_values_are_invalid_argument_naming_the_rule_and_nothing_is_stored(HandleValue value, string expected)
    {
        var handle = "88.999.11/Invalid-" + Guid.NewGuid().ToString("N");
        var e = await GrpcAssert.FailsWith(StatusCode.InvalidArgument, () => _server.Registry.CreateAsync(Create(handle, false, value), GrpcTestServer.Admin).ResponseAsync, responseCode: 202);
        Assert.Contains(expected, e.Status.Detail, StringComparison.Ordinal);
        await GrpcAssert.FailsWith(StatusCode.NotFound, () => ResolveAsync(handle));
    }

    [Fact]
    public async Task The_same_index_twice_is_already_exists_with_rc_201()
    {
        var e = await GrpcAssert.FailsWith(StatusCode.AlreadyExists,
            () => _server.Registry.CreateAsync(Create("88.999.11/Dup", false, GrpcTestServer.Url("https://a"), GrpcTestServer.Url("https://b")), GrpcTestServer.Admin).ResponseAsync, responseCode: 201);
        Assert.Contains("index 1 appears more than once", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_handle_is_invalid_argument_naming_the_field()
    {
        var e = await GrpcAssert.FailsWith(StatusCode.InvalidArgument, () => _server.Registry.CreateAsync(Create("88.999.11"), GrpcTestServer.Admin).ResponseAsync, responseCode: 102);
        Assert.StartsWith("handle: ", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_outside_the_node_prefix_is_failed_precondition()
    {
        var e = await GrpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _server.Registry.CreateAsync(Create("86.100/elsewhere"), GrpcTestServer.Admin).ResponseAsync, responseCode: 301);
        Assert.Contains("not responsible", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchRegister_reports_per_item_and_an_identical_retry_succeeds()
    {
        var request = new BatchRegisterRequest();
        request.Items.Add(new RegisterItem { Handle = "88.999.12/B-1", Values = { GrpcTestServer.Url("https://example.cn/b1") } });
        request.Items.Add(new RegisterItem { Handle = "bad handle", Values = { GrpcTestServer.Url("https://example.cn/x") } });
        request.Items.Add(new RegisterItem { Handle = "88.999.12/B-2", Values = { GrpcTestServer.Url("https://example.cn/b2") } });
        request.Items.Add(new RegisterItem { Handle = "88.999.12/B-3" });
        request.Items.Add(new RegisterItem { Handle = "86.100/B-4", Values = { GrpcTestServer.Url("https://example.cn/b4") } });

        var first = await _server.Registry.BatchRegisterAsync(request, GrpcTestServer.Admin);
        var retry = await _server.Registry.BatchRegisterAsync(request, GrpcTestServer.Admin);

        Assert.Equal(["88.999.12/B-1", "bad handle", "88.999.12/B-2", "88.999.12/B-3", "86.100/B-4"], first.Results.Select(r => r.Handle));
        Assert.Equal([0, 3, 0, 3, 9], first.Results.Select(r => r.Status.Code));
        Assert.Equal([1, 102, 1, 202, 301], first.Results.Select(r => r.Status.ResponseCode));
        Assert.StartsWith("items[1].handle: ", first.Results[1].Status.Message, StringComparison.Ordinal);
        Assert.True(first.Results[0].Created && first.Results[0].Changed);

        Assert.Equal([0, 3, 0, 3, 9], retry.Results.Select(r => r.Status.Code));
        Assert.False(retry.Results[0].Changed);
        Assert.False(retry.Results[0].Created);
        Assert.Equal(first.Results[0].Version, retry.Results[0].Version);
        Assert.Equal("https://example.cn/b2", (await ResolveAsync("88.999.12/B-2")).Values[0].Data.Text);
    }

    [Fact]
    public async Task BatchRegister_errors_name_the_item_and_field_that_broke_the_rule()
    {
        var request = new BatchRegisterRequest();
        request.Items.Add(new RegisterItem { Handle = "88.999.12/F-0", Values = { GrpcTestServer.Url("https://example.cn/f0") } });
        request.Items.Add(new RegisterItem { Handle = "88.999.12/F-1", Values = { GrpcTestServer.Url("https://example.cn/f1"), new HandleValue { Index = 2, Type = "X" } } });
        request.Items.Add(new RegisterItem { Handle = "88.999.12/F-2", Values = { new HandleValue { Index = 1, Type = "URL", Data = new ValueData { Text = "x" }, Permissions = 16 } } });
        request.Items.Add(new RegisterItem { Handle = "", Values = { GrpcTestServer.Url("https://example.cn/f3") } });

        var response = await _server.Registry.BatchRegisterAsync(request, GrpcTestServer.Admin);

        Assert.Equal([0, 3, 3, 3], response.Results.Select(r => r.Status.Code));
        Assert.StartsWith("items[1].values[1].data: one of text, binary, admin or json must be set", response.Results[1].Status.Message, StringComparison.Ordinal);
        Assert.StartsWith("items[2].values[0].permissions: 4 bits", response.Results[2].Status.Message, StringComparison.Ordinal);
        Assert.StartsWith("items[3].handle: ", response.Results[3].Status.Message, StringComparison.Ordinal);
        await GrpcAssert.FailsWith(StatusCode.NotFound, () => ResolveAsync("88.999.12/F-1"));
    }

    [Fact]
    public async Task BatchRegister_of_different_content_is_already_exists_per_item_unless_overwrite()
    {
        var request = new BatchRegisterRequest();
        request.Items.Add(new RegisterItem { Handle = "88.999.12/C-1", Values = { GrpcTestServer.Url("https://example.cn/c1") } });
        await _server.Registry.BatchRegisterAsync(request, GrpcTestServer.Admin);
        request.Items[0].Values[0].Data.Text = "https://example.cn/c1-changed";
        request.Items.Add(new RegisterItem { Handle = "88.999.12/C-2", Values = { GrpcTestServer.Url("https://example.cn/c2") } });

        var refused = await _server.Registry.BatchRegisterAsync(request, GrpcTestServer.Admin);
        request.Overwrite = true;
        var replaced = await _server.Registry.BatchRegisterAsync(request, GrpcTestServer.Admin);

        Assert.Equal([(int)StatusCode.AlreadyExists, 0], refused.Results.Select(r => r.Status.Code));
        Assert.Equal(101, refused.Results[0].Status.ResponseCode);
        Assert.Equal([0, 0], replaced.Results.Select(r => r.Status.Code));
        Assert.True(replaced.Results[0].Changed);
        Assert.Equal("https://example.cn/c1-changed", (await ResolveAsync("88.999.12/C-1")).Values[0].Data.Text);
    }

    [Fact]
    public async Task BatchRegister_with_the_same_identifier_twice_applies_both_in_order()
    {
        var request = new BatchRegisterRequest { Overwrite = true };
        request.Items.Add(new RegisterItem { Handle = "88.999.12/Same", Values = { GrpcTestServer.Url("https://example.cn/first") } });
        request.Items.Add(new RegisterItem { Handle = "88.999.12/Same", Values = { GrpcTestServer.Url("https://example.cn/second") } });

        var response = await _server.Registry.BatchRegisterAsync(request, GrpcTestServer.Admin);

        Assert.Equal([1L, 2L], response.Results.Select(r => r.Version));
        Assert.Equal("https://example.cn/second", (await ResolveAsync("88.999.12/Same")).Values[0].Data.Text);
    }

    [Fact]
    public async Task BatchRegister_of_more_than_2000_items_is_invalid_argument_and_stores_nothing()
    {
        var request = new BatchRegisterRequest();
        for (var i = 0; i < 2001; i++)
            request.Items.Add(new RegisterItem { Handle = $"88.999.13/over-{i}", Values = { GrpcTestServer.Url("https://example.cn/o") } });

        var e = await GrpcAssert.FailsWith(StatusCode.InvalidArgument, () => _server.Registry.BatchRegisterAsync(request, GrpcTestServer.Admin).ResponseAsync, responseCode: 4);
        Assert.Contains("items: at most 2000", e.Status.Detail, StringComparison.Ordinal);
        await GrpcAssert.FailsWith(StatusCode.NotFound, () => ResolveAsync("88.999.13/over-0"));
    }

    [Fact]
    public async Task BatchRegister_of_exactly_2000_items_succeeds()
    {
        var request = new BatchRegisterRequest();
        for (var i = 0; i < 2000; i++)
            request.Items.Add(new RegisterItem { Handle = $"88.999.14/max-{i}", Values = { GrpcTestServer.Url("https://example.cn/m") } });

        var response = await _server.Registry.BatchRegisterAsync(request, GrpcTestServer.Admin);

        Assert.Equal(2000, response.Results.Count(r => r.Status.Code == 0 && r.Created));
    }

    [Fact]
    public async Task List_streams_pages_in_key_order_and_resumes_from_a_cursor()
    {
        var batch = new BatchRegisterRequest();
        for (var i = 0; i < 25; i++)
            batch.Items.Add(new RegisterItem { Handle = $"88.999.15/item-{i:D2}", Values = { GrpcTestServer.Url("https://example.cn/l") } });
        await _server.Registry.BatchRegisterAsync(batch, GrpcTestServer.Admin);
        await _server.Registry.DeleteAsync(new DeleteRequest { Handle = "88.999.15/item-03" }, GrpcTestServer.Admin);

        var pages = await ReadAllAsync(new ListRequest { Prefix = "88.999.15", PageSize = 10 });
        var resumed = await ReadAllAsync(new ListRequest { Prefix = "88.999.15", PageSize = 10, Cursor = pages[0].Cursor });
        var limited = await ReadAllAsync(new ListRequest { Prefix = "0.NA/88.999.15", PageSize = 4, Limit = 6 });

        var expected = Enumerable.Range(0, 25).Where(i => i != 3).Select(i => $"88.999.15/item-{i:D2}").ToArray();
        Assert.Equal([10, 10, 4], pages.Select(p => p.Handles.Count));
        Assert.Equal(expected, pages.SelectMany(p => p.Handles));
        Assert.Equal(expected[10..], resumed.SelectMany(p => p.Handles));
        Assert.Equal(expected[..6], limited.SelectMany(p => p.Handles));
    }

    [Fact]
    public async Task List_of_an_empty_prefix_ends_at_once()
        => Assert.Empty(await ReadAllAsync(new ListRequest { Prefix = "88.999.16" }));

    [Theory]
    [InlineData("", StatusCode.InvalidArgument, "prefix: ")]
    [InlineData("88..1", StatusCode.InvalidArgument, "prefix: ")]
    [InlineData("86.100", StatusCode.FailedPrecondition, "not responsible")]
    public async Task List_refuses_bad_prefixes(string prefix, StatusCode status, string message)
    {
        var e = await GrpcAssert.FailsWith(status, () => ReadAllAsync(new ListRequest { Prefix = prefix }));
        Assert.Contains(message, e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_refuses_a_page_size_over_the_limit()
    {
        var e = await GrpcAssert.FailsWith(StatusCode.InvalidArgument, () => ReadAllAsync(new ListRequest { Prefix = "88.999", PageSize = 10_001 }));
        Assert.StartsWith("page_size: ", e.Status.Detail, StringComparison.Ordinal);
    }

    private async Task<List<ListResponse>> ReadAllAsync(ListRequest request)
    {
        using var call = _server.Registry.List(request);
        var pages = new List<ListResponse>();
        await foreach (var page in call.ResponseStream.ReadAllAsync())
            pages.Add(page);
        return pages;
    }
}
