using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using IdNode.Core.Identifiers;
using IdNode.Core.Json;
using IdNode.Core.Node;
using IdNode.Core.Ports;
using IdNode.Grpc.V1;
using IdNode.Storage.Postgres;

// Streams N generated identifiers into a node's import, over HTTP NDJSON (chunked upload, never
// held whole in memory on either side) or gRPC client streaming, and prints one RESULT line.
// Usage: ImportLoad --target http://127.0.0.1:8000 --via http|grpc --count 1000000
//        (--via floor --pg CONNSTR: BulkInsertAsync of the same rows, no node)
//        [--prefix 88.999] [--start 0] [--tag A] [--admin-secret S] [--per-message 500] [--csv]
var o = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
    o[args[i].TrimStart('-')] = args[i + 1];
string Opt(string name, string fallback) => o.TryGetValue(name, out var v) ? v : fallback;

var target = new Uri(Opt("target", "http://127.0.0.1:8000").TrimEnd('/') + "/");
var via = Opt("via", "http");
var count = long.Parse(Opt("count", "1000000"), CultureInfo.InvariantCulture);
var start = long.Parse(Opt("start", "0"), CultureInfo.InvariantCulture);
var prefix = Opt("prefix", "88.999");
var tag = Opt("tag", "IMP");
var perMessage = int.Parse(Opt("per-message", "500"), CultureInfo.InvariantCulture);
var secret = Opt("admin-secret", "");
// Handle-style Basic user name: index:handle with the colon encoded.
var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("300%3A" + prefix + "/ADMIN:" + secret));

string Handle(long i) => $"{prefix}/{tag}-{i:D9}";

var sw = Stopwatch.StartNew();
string summary;
if (via == "floor")
{
    // The raw floor: the same rows through the store's binary COPY (BulkInsertAsync), 1000 per
    // transaction like the node's import, with no HTTP, parsing, validation or cache work.
    using var store = new PostgresRecordStore(new PostgresStoreOptions { ConnectionString = Opt("pg", "") });
    var rules = new NodeSettings(prefix).Rules;
    long inserted = 0;
    var writes = new List<RecordWrite>(1000);
    for (var i = start; i < start + count; i++)
    {
        var body = Encoding.UTF8.GetBytes(GeneratedBody.Line(Handle(i), i));
        var values = HandleJsonReader.ReadBody(body, out var h);
        if (!IdentifierParser.TryParse(h, rules, out var id, out var error))
            throw new InvalidOperationException(error.Message);
        writes.Add(new RecordWrite(id.Key, id.Display, id.Prefix, 0, HandleJsonWriter.Stored(values), IdNode.Core.Ports.ChangeKind.Create, "floor"));
        if (writes.Count == 1000 || i == start + count - 1)
        {
            inserted += (await store.BulkInsertAsync(writes)).Inserted;
            writes.Clear();
        }
    }
    summary = $"inserted={inserted}";
}
else if (via == "grpc")
{
    using var channel = GrpcChannel.ForAddress(target, new GrpcChannelOptions { MaxReceiveMessageSize = 64 << 20 });
    var client = new Registry.RegistryClient(channel);
    using var call = client.Import(new Metadata { { "authorization", basic } });
    for (var i = start; i < start + count;)
    {
        var message = new ImportRequest();
        for (var j = 0; j < perMessage && i < start + count; j++, i++)
        {
            var item = new RegisterItem { Handle = Handle(i) };
            item.Values.Add(new HandleValue { Index = 1, Type = "URL", Data = new ValueData { Text = "https://example.com/p/" + i.ToString(CultureInfo.InvariantCulture) } });
            item.Values.Add(new HandleValue { Index = 2000, Type = "model", Data = new ValueData { Text = "CP-150-40" } });
            message.Items.Add(item);
        }
        await call.RequestStream.WriteAsync(message);
    }
    await call.RequestStream.CompleteAsync();
    var s = await call;
    summary = $"accepted={s.Accepted} created={s.Created} rejected={s.RejectedCount}";
    if (s.Rejected.Count > 0)
        summary += $" first_rejection=\"{s.Rejected[0].Handle}: {s.Rejected[0].Status.Message}\"";
}
else
{
    using var http = new HttpClient { BaseAddress = target, Timeout = Timeout.InfiniteTimeSpan };
    using var request = new HttpRequestMessage(HttpMethod.Post, "api/import") { Content = new GeneratedBody(start, count, Handle) };
    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
    request.Headers.TryAddWithoutValidation("Authorization", basic);
    using var response = await http.SendAsync(request);
    var body = await response.Content.ReadAsStringAsync();
    summary = $"http={(int)response.StatusCode} body={(body.Length > 300 ? body[..300] : body)}";
}
var seconds = sw.Elapsed.TotalSeconds;
Console.WriteLine(FormattableString.Invariant($"RESULT via={via} count={count} seconds={seconds:F1} ids_per_s={count / seconds:F0} {summary}"));
return 0;

/// <summary>NDJSON produced while it is sent (chunked transfer): the generator holds one buffer, not the file.</summary>
internal sealed class GeneratedBody(long start, long count, Func<long, string> handle) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var sb = new StringBuilder(256 * 1024);
        for (var i = start; i < start + count; i++)
        {
            sb.Append(Line(handle(i), i)).Append('\n');
            if (sb.Length > 200_000)
            {
                var bytes = Encoding.UTF8.GetBytes(sb.ToString());
                await stream.WriteAsync(bytes);
                sb.Clear();
            }
        }
        await stream.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    public static string Line(string handle, long i)
        => "{\"handle\":\"" + handle + "\",\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"string\",\"value\":\"https://example.com/p/"
           + i.ToString(CultureInfo.InvariantCulture) + "\"}},{\"index\":2000,\"type\":\"model\",\"data\":{\"format\":\"string\",\"value\":\"CP-150-40\"}}]}";

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
