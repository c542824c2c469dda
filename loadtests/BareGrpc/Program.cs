using System.Net;
using BareGrpc;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// The bare gRPC baseline: the least an ASP.NET Core gRPC server can do to answer
// idnode.v1.Resolver/Resolve with IdNode's own answer. Same runtime and Kestrel settings as the
// node (h2c, no Server header, its request limits, logging at Warning with the per-request
// hosting scope filtered out, Server GC + tiered PGO in the csproj); no routing beyond the gRPC
// endpoint, no interceptors, no reflection, no protobuf work per call.
// Usage: BareGrpc [url] [response-file]. The response file is a captured gRPC response frame of
// IdNode's Resolve (5-byte prefix + message), so both servers put the same bytes on the wire.
var url = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:18002");
if (args.Length < 2)
    throw new ArgumentException("Usage: BareGrpc <url> <response-frame-file> (run.sh captures the node's own Resolve answer with nghttp)");
var message = BareResolver.Load(args[1]);

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
builder.WebHost.UseKestrel(o =>
{
    o.AddServerHeader = false;
    o.Limits.MaxRequestLineSize = 64 * 1024;
    o.Limits.MaxRequestBufferSize = 1024 * 1024;
    o.Listen(IPAddress.Parse(url.Host), url.Port, l => l.Protocols = HttpProtocols.Http2);
});
builder.Services.AddGrpc();
// Registered, so the framework takes this one instance per call instead of constructing one.
builder.Services.AddSingleton(new BareResolver(message));
var app = builder.Build();
app.MapGrpcService<BareResolver>();
app.Run();
