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
    public async Task An_import_needs_a_login()
    {
        var response = await _on.Anonymous().PostAsync("/api/import", new NdjsonContent("88.999.1", 1));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
