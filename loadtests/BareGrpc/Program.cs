using BareGrpc;
using IdNode.Grpc.V1;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Usage: BareGrpc [url] [response-file]. The response file is a captured gRPC response frame of
// IdNode's Resolve (5-byte prefix + message), so both servers put the same bytes on the wire.
var url = args.Length > 0 ? args[0] : "http://127.0.0.1:18002";
var response = args.Length > 1 ? BareResolver.Load(args[1]) : BareResolver.Sample();

var builder = WebApplication.CreateBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(e => e.Protocols = HttpProtocols.Http2));
builder.WebHost.UseUrls(url);
builder.Services.AddGrpc();
builder.Services.AddSingleton(response);
var app = builder.Build();
app.MapGrpcService<BareResolver>();
app.Run();
