using IdNode.Server.Grpc;
using IdNode.Server.Hosting;

var builder = WebApplication.CreateBuilder(args).UseBinaryDirectorySettings();
builder.WebHost.ConfigureIdNodeKestrel();
builder.Services.AddIdNode(builder.Configuration);
builder.Services.AddGrpc();
builder.Services.AddIdNodeGrpc();
builder.Services.AddGrpcHealthChecks();
builder.Services.AddHealthChecks();

var app = builder.Build();
app.UseIdNode();
app.Run();

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
