namespace IdNode.Server.Tests.Process;

/// <summary>Requests a well-behaved client library would never send, straight to Kestrel.</summary>
[Collection(nameof(ProcessCollection))]
public class RawSocketTests : IAsyncLifetime
{
    private NodeProcess _node = null!;
    private readonly string _data = Path.Combine(Path.GetTempPath(), "idnode-raw", Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync() => _node = await NodeProcess.StartAsync(_data);

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData("/api/handles/88.999/%ZZ")]
    [InlineData("/api/handles/88.999/abc%")]
    [InlineData("/api/handles/88.999/abc%4")]
    [InlineData("/api/handles/88.999/%G0x")]
    [InlineData("/api/handles/88.999/%C3%28")]
    public async Task Bad_escapes_get_400_with_a_Handle_body(string target)
    {
        var response = await _node.RawAsync($"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Contains("\"responseCode\":4", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_60k_path_gets_a_Handle_error_not_a_bare_rejection()
    {
        var response = await _node.RawAsync($"GET /api/handles/88.999/{new string('a', 60_000)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Contains("\"responseCode\":102", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_node_keeps_serving_after_garbage()
    {
        foreach (var garbage in new[] { "\0\0\0\0", "GET\r\n\r\n", "PUT /api/handles/88.999/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Type: application/json\r\n\r\n[{\"in", "HELLO WORLD\r\n\r\n" })
            await _node.RawAsync(garbage);
        var ok = await _node.RawAsync("GET /api/handles/88.999/ADMIN HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", ok, StringComparison.Ordinal);
    }
}
