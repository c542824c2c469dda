using System.Net;
using IdNode.Server.Tests.Grpc;
using Microsoft.Extensions.DependencyInjection;
using static IdNode.Server.Tests.Enterprise.Onboarding;

namespace IdNode.Server.Tests.Enterprise;

public sealed class ImportTests : IDisposable
{
    private readonly GrpcTestServer _server = new();
    private readonly Onboarding _on;

    public ImportTests() => _on = new Onboarding(_server);

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task An_ndjson_upload_is_imported_in_chunks_with_a_result_for_bad_lines_and_a_resend_is_harmless()
    {
        var admin = await _on.AdminTokenAsync();
        var (prefix, token, _) = await _on.EnterpriseAsync(admin, "Import Co");
        string Line(long i) => i switch
        {
            17 => "{not json",
            2500 => $$"""{"handle":"88.999.77/foreign","values":[{"index":1,"type":"URL","data":"https://e.cn"}]}""",
            _ => $$"""{"handle":"{{prefix}}/IMP-{{i:D8}}","values":[{"index":1,"type":"URL","data":"https://e.cn/{{i}}"}]}""",
        };

        var response = await _on.Bearer(token).PostAsync("/api/import", new NdjsonContent(prefix, 3001, Line));
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var data = doc.RootElement.GetProperty("data");
        Assert.Equal(3001, data.GetProperty("lines").GetInt64());
        Assert.Equal(2999, data.GetProperty("accepted").GetInt64());
        Assert.Equal(2999, data.GetProperty("created").GetInt64());
        Assert.Equal(2, data.GetProperty("rejected").GetInt64());
        var errors = data.GetProperty("errors").EnumerateArray().ToArray();
        Assert.Equal([18L, 2501L], errors.Select(e => e.GetProperty("line").GetInt64()));
        Assert.Equal(401, errors[1].GetProperty("responseCode").GetInt32());
        Assert.Equal(2999, await _server.Services.GetRequiredService<Core.Ports.IRecordStore>().CountAsync(prefix));

        var again = await _on.Bearer(token).PostAsync("/api/import", new NdjsonContent(prefix, 3001, Line));
        using var doc2 = System.Text.Json.JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        Assert.Equal(2999, doc2.RootElement.GetProperty("data").GetProperty("accepted").GetInt64());
        Assert.Equal(0, doc2.RootElement.GetProperty("data").GetProperty("created").GetInt64());
    }

    [Fact]
    public async Task Importing_identifiers_nobody_has_read_leaves_no_entries_in_L1()
    {
        var admin = await _on.AdminTokenAsync();
        var (prefix, token, _) = await _on.EnterpriseAsync(admin, "Flat Co");
        var l1 = _server.Services.GetRequiredService<Core.Caching.L1Cache>();
        var before = l1.Count;

        var response = await _on.Bearer(token).PostAsync("/api/import", new NdjsonContent(prefix, 3000));
        response.EnsureSuccessStatusCode();
        var coherence = _server.Services.GetRequiredService<Core.Caching.CacheCoherence>();
        await coherence.PollOnceAsync(CancellationToken.None); // the follower reads the import back too

        // One invalidation marker per written identifier would be 3000 entries (and a million for
        // a million-line file); identifiers nobody read or is reading need none.
        Assert.True(l1.Count <= before, $"L1 grew from {before} to {l1.Count} entries");
        Assert.Equal(3000, await _server.Services.GetRequiredService<Core.Ports.IRecordStore>().CountAsync(prefix));
    }

    [Fact]
    public async Task A_csv_upload_imports_one_identifier_per_run_of_rows_and_rejects_only_the_identifiers_with_a_bad_row()
    {
        var admin = await _on.AdminTokenAsync();
        var (prefix, token, _) = await _on.EnterpriseAsync(admin, "Csv Co");
        var csv = $""""
            handle,index,type,data
            {prefix}/A,1,URL,https://e.cn/a
            {prefix}/A,2001,note,"quoted, with a comma and a ""quote"""
            {prefix}/B,1,URL,https://e.cn/b
            {prefix}/B,x,note,bad index
            {prefix}/B,2002,note,after the bad row
            {prefix}/C,1,URL
            {prefix}/D,1,URL,"never closed
            88.999.77/foreign,1,URL,https://e.cn/f
            {prefix}/E,1,URL,https://e.cn/e
            """".Replace("\r\n", "\n", StringComparison.Ordinal);
        using var content = new StringContent(csv, System.Text.Encoding.UTF8, "text/csv");

        var response = await _on.Bearer(token).PostAsync("/api/import", content);

        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var data = doc.RootElement.GetProperty("data");
        Assert.Equal(2, data.GetProperty("accepted").GetInt64());
        Assert.Equal(4, data.GetProperty("rejected").GetInt64());
        var errors = data.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("line").GetInt64(), e => e.GetProperty("message").GetString()!);
        Assert.Equal([5L, 7L, 8L, 9L], errors.Keys.Order());
        Assert.Contains("index must be a positive integer", errors[5], StringComparison.Ordinal);
        Assert.Contains("3 fields, expected 4", errors[7], StringComparison.Ordinal);
        Assert.Contains("not closed", errors[8], StringComparison.Ordinal);

        var store = _server.Services.GetRequiredService<Core.Ports.IRecordStore>();
        using var a = System.Text.Json.JsonDocument.Parse(await _on.Bearer(token).GetStringAsync($"/api/handles/{prefix}/A"));
        var note = a.RootElement.GetProperty("values").EnumerateArray().Single(v => v.GetProperty("index").GetInt32() == 2001);
        Assert.Equal("quoted, with a comma and a \"quote\"", note.GetProperty("data").GetProperty("value").GetString());
        Assert.Null(await store.GetAsync(Core.Identifiers.Identifier.Parse($"{prefix}/B").Key)); // nothing of B, not even its good rows
        Assert.NotNull(await store.GetAsync(Core.Identifiers.Identifier.Parse($"{prefix}/E").Key)); // the rows after the bad ones went on
        Assert.Equal(2, await store.CountAsync(prefix));
    }

    [Fact]
    public async Task A_csv_upload_without_the_header_is_refused_naming_the_columns()
    {
        var admin = await _on.AdminTokenAsync();
        var (prefix, token, _) = await _on.EnterpriseAsync(admin, "Headless Co");
        using var content = new StringContent($"{prefix}/A,1,URL,https://e.cn/a\n", System.Text.Encoding.UTF8, "text/csv");

        var response = await _on.Bearer(token).PostAsync("/api/import", content);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("handle,index,type,data", body, StringComparison.Ordinal);
        Assert.Equal(0, await _server.Services.GetRequiredService<Core.Ports.IRecordStore>().CountAsync(prefix));
    }

    [Fact]
    public async Task An_import_needs_a_login()
    {
        var response = await _on.Anonymous().PostAsync("/api/import", new NdjsonContent("88.999.1", 1));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
