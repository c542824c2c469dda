using Microsoft.AspNetCore.Server.Kestrel.Core;

// The bare baseline: the least a Kestrel app can do to answer GET /api/handles/{**h} with the
// node's hot response. Same bytes, same content type, from memory; no logging, no middleware.
// Usage: Baseline --body <file> [--http1 47400] [--h2c 47401]
string? bodyPath = null;
int http1 = 47400, h2c = 47401;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--body": bodyPath = args[i + 1]; break;
        case "--http1": http1 = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--h2c": h2c = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        default: throw new ArgumentException($"Unknown option {args[i]}. Usage: Baseline --body <file> [--http1 port] [--h2c port]");
    }
}
if (bodyPath is null)
    throw new ArgumentException("--body <file> is required: the node's hot response, fetched by run.sh");
var body = File.ReadAllBytes(bodyPath);

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseKestrel(o =>
{
    // Matches the node: no Server header, so both send the same header bytes.
    o.AddServerHeader = false;
    o.Listen(System.Net.IPAddress.Loopback, http1, l => l.Protocols = HttpProtocols.Http1);
    o.Listen(System.Net.IPAddress.Loopback, h2c, l => l.Protocols = HttpProtocols.Http2);
});
var app = builder.Build();
app.MapGet("/api/handles/{**h}", context =>
{
    var response = context.Response;
    response.ContentType = "application/json; charset=utf-8";
    response.ContentLength = body.Length;
    // The same write as the node's hot path: straight into the pipe, completing synchronously when it fits.
    var pending = response.BodyWriter.WriteAsync(body);
    return pending.IsCompletedSuccessfully ? Task.CompletedTask : pending.AsTask();
});
app.Run();
