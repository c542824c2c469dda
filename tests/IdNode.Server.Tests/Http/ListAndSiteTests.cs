using System.Net;

namespace IdNode.Server.Tests.Http;

public class ListAndSiteTests : IClassFixture<NodeFactory>
{
    private readonly HttpClient _admin;
    private readonly HttpClient _anon;

    public ListAndSiteTests(NodeFactory node)
    {
        _admin = node.Admin();
        _anon = node.Anonymous();
    }

    private async Task FillAsync(string prefix, int count)
    {
        for (var i = 0; i < count; i++)
            await _admin.PutJsonAsync($"/api/handles/{prefix}/item-{i:D3}", """[{"index":1,"type":"URL","data":"https://example.cn"}]""").ExpectAsync(HttpStatusCode.OK, 1);
    }

    [Fact]
    public async Task Pages_cover_the_prefix_exactly_once_with_a_string_total()
    {
        await FillAsync("88.999.40", 25);
        await FillAsync("88.999.40.1", 3); // a derived prefix is listed on its own

        var seen = new List<string>();
        for (var page = 0; page < 3; page++)
        {
            var body = await _anon.GetAsync($"/api/handles?prefix=88.999.40&page={page}&pageSize=10").ExpectAsync(HttpStatusCode.OK, 1);
            Assert.Equal("25", body.GetProperty("totalCount").GetString());
            Assert.Equal("88.999.40", body.GetProperty("prefix").GetString());
            Assert.Equal(page, body.GetProperty("page").GetInt32());
            Assert.Equal(10, body.GetProperty("pageSize").GetInt32());
            seen.AddRange(body.GetProperty("handles").EnumerateArray().Select(h => h.GetString()!));
        }
        Assert.Equal(25, seen.Count);
        Assert.Equal(25, seen.Distinct().Count());
        Assert.All(seen, h => Assert.StartsWith("88.999.40/", h, StringComparison.Ordinal));

        // Random access to a page (no cursor remembered) gives the same rows as walking there.
        var direct = await _anon.GetAsync("/api/handles?prefix=88.999.40&page=1&pageSize=10").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal(seen.Skip(10).Take(10), direct.GetProperty("handles").EnumerateArray().Select(h => h.GetString()!));
        var fresh = await _anon.GetAsync("/api/handles?prefix=88.999.40&page=2&pageSize=7").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal(seen.Skip(14).Take(7), fresh.GetProperty("handles").EnumerateArray().Select(h => h.GetString()!));

        var beyond = await _anon.GetAsync("/api/handles?prefix=88.999.40&page=5&pageSize=10").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Empty(beyond.GetProperty("handles").EnumerateArray());
    }

    [Fact]
    public async Task Page_size_zero_returns_only_the_count()
    {
        await FillAsync("88.999.41", 4);
        var body = await _anon.GetAsync("/api/handles?prefix=88.999.41&pageSize=0").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal("4", body.GetProperty("totalCount").GetString());
        Assert.False(body.TryGetProperty("handles", out _));
        // Deletes are counted out, prefixes compare ignoring case.
        await _admin.DeleteAsync("/api/handles/88.999.41/item-000").ExpectAsync(HttpStatusCode.OK, 1);
        body = await _anon.GetAsync("/api/handles?prefix=88.999.41&pageSize=0").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal("3", body.GetProperty("totalCount").GetString());
        await _anon.GetAsync("/api/handles?prefix=0.NA/88.999.41&pageSize=0").ExpectAsync(HttpStatusCode.OK, 1);
    }

    [Theory]
    [InlineData("prefix=88.188&pageSize=1", HttpStatusCode.BadRequest, 301)]
    [InlineData("prefix=88..999", HttpStatusCode.BadRequest, 102)]
    [InlineData("prefix=88.999&page=-1", HttpStatusCode.BadRequest, 4)]
    [InlineData("prefix=88.999&pageSize=abc", HttpStatusCode.BadRequest, 4)]
    [InlineData("prefix=88.999&pageSize=100000", HttpStatusCode.BadRequest, 4)]
    public async Task Bad_list_requests_are_refused(string query, HttpStatusCode status, int rc)
        => await _anon.GetAsync($"/api/handles?{query}").ExpectAsync(status, rc);

    [Fact]
    public async Task Site_and_prefixes_describe_this_node()
    {
        await FillAsync("88.999.42", 1);
        var site = await _anon.GetAsync("/api/site").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal("88.999", site.GetProperty("site").GetProperty("prefix").GetString());
        Assert.NotEmpty(site.GetProperty("site").GetProperty("servers").EnumerateArray());

        var prefixes = await _anon.GetAsync("/api/prefixes").ExpectAsync(HttpStatusCode.OK, 1);
        var list = prefixes.GetProperty("prefixes").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.Contains("88.999", list);
        Assert.Contains("88.999.42", list);
    }
}
