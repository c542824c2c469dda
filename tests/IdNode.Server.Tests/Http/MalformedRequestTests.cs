using System.Net;
using System.Text;
using System.Text.Json;
using IdNode.Core.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace IdNode.Server.Tests.Http;

/// <summary>
/// Thousands of generated bad requests: each gets a 4xx with a Handle error body, nothing is
/// stored, and the node keeps serving. Seeded, so a failure reproduces.
/// </summary>
public class MalformedRequestTests : IClassFixture<NodeFactory>
{
    private readonly NodeFactory _node;
    private readonly HttpClient _admin;
    private readonly HttpClient _anon;

    public MalformedRequestTests(NodeFactory node)
    {
        _node = node;
        _admin = node.Admin();
        _anon = node.Anonymous();
    }

    private const string Valid = """[{"index":1,"type":"URL","data":"https://example.cn/p"},{"index":2,"type":"EMAIL","data":{"format":"string","value":"a@b"}}]""";

    [Fact]
    public async Task Thousands_of_malformed_requests_get_4xx_Handle_errors_and_store_nothing()
    {
        var store = _node.Services.GetRequiredService<IRecordStore>();
        await _admin.PutJsonAsync("/api/handles/88.999.60/canary", Valid).ExpectAsync(HttpStatusCode.OK, 1);
        var before = await store.ReadChangesAsync(0, 100_000);
        var random = new Random(20261126);

        var cases = 0;
        for (var i = 0; i < 3000; i++)
        {
            var request = Generate(random, i);
            var response = await (request.Headers.Authorization is null && request.Method != HttpMethod.Get && request.Method != HttpMethod.Head ? _anon : _admin).SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            Assert.True(status is >= 400 and < 500, $"case {i} {request.Method} {Describe(request)} → {status}: {body}");
            if (request.Method != HttpMethod.Head)
            {
                using var doc = JsonDocument.Parse(body);
                Assert.True(doc.RootElement.GetProperty("responseCode").GetInt32() > 1, $"case {i}: {body}");
                Assert.False(string.IsNullOrWhiteSpace(doc.RootElement.GetProperty("message").GetString()), $"case {i}: {body}");
            }
            cases++;
        }
        Assert.Equal(3000, cases);

        var after = await store.ReadChangesAsync(0, 100_000);
        Assert.Equal(before.Count, after.Count);
        var canary = await _anon.GetAsync("/api/handles/88.999.60/canary").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal([1, 2], canary.Indexes());
    }

    private static string Describe(HttpRequestMessage r)
    {
        var s = r.RequestUri!.ToString();
        return s.Length > 200 ? s[..200] + "…" : s;
    }

    private static HttpRequestMessage Generate(Random random, int i)
    {
        const string target = "88.999.60/victim";
        switch (i % 10)
        {
            case 0: // bad escapes and invalid UTF-8 in the path
            {
                // System.Uri re-escapes a lone '%', so raw bad escapes are sent over a socket in ProcessTests;
                // here: invalid UTF-8 and control characters after decoding. (%00 is refused by the host itself.)
                string[] bad = ["%C3%28", "%FF%FE", "%E2%82", "%ED%A0%80", "%01", "%1F", "%7F", "%C0%AF", "%F8%88%80%80%80"];
                var path = "/api/handles/88.999.60/x" + bad[random.Next(bad.Length)] + RandomAscii(random, random.Next(0, 5));
                return new HttpRequestMessage(random.Next(2) == 0 ? HttpMethod.Get : HttpMethod.Delete, Rel(path)) { };
            }
            case 1: // huge paths
                return new HttpRequestMessage(HttpMethod.Get, Rel("/api/handles/88.999.60/" + new string('a', random.Next(300, 60_000))));
            case 2: // broken JSON: truncated valid bodies
                return Put(target, Valid[..random.Next(1, Valid.Length - 1)]);
            case 3: // random bytes as a body
            {
                var bytes = new byte[random.Next(1, 200)];
                random.NextBytes(bytes);
                var put = new HttpRequestMessage(HttpMethod.Put, Rel("/api/handles/" + target)) { Content = new ByteArrayContent(bytes) };
                put.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                return put;
            }
            case 4: // wrong types
            {
                string[] wrong =
                [
                    """[{"index":{},"type":"URL","data":"x"}]""", """[{"index":1,"type":7,"data":"x"}]""", """[{"index":1,"type":"URL","data":[]}]""",
                    """[{"index":1,"type":"URL","data":null}]""", """{"values":"x"}""", """[{"index":1,"type":"URL","data":"x","references":7}]""",
                    """[{"index":1,"type":"URL","data":"x","references":[{"handle":1}]}]""", """[{"index":99999999999,"type":"URL","data":"x"}]""",
                    """[{"index":1,"type":"URL","data":{"format":"admin","value":"x"}}]""", """[{"index":1,"type":"URL","data":"x","ttl":-5}]""",
                    """null""", """true""", "\"str\"", """[{"index":1,"type":"URL","data":"x","permissions":7}]""",
                ];
                return Put(target, wrong[random.Next(wrong.Length)]);
            }
            case 5: // deep nesting
                return Put(target, "[" + new string('[', random.Next(20, 200)) + "]");
            case 6: // bad query parameters
            {
                string[] queries = ["index=abc", "index=1.5", "callback=<script>", "callback=1abc", "callback=a(b)"];
                return new HttpRequestMessage(HttpMethod.Get, Rel("/api/handles/88.999.60/canary?" + queries[random.Next(queries.Length)]));
            }
            case 7: // bad identifiers
            {
                string[] ids = ["88..999/x", ".88/x", "88.999./x", "88 999/x", "88.999/" + "\u0001", "nosuffix", "88.999/", "８８.999/x", "88.99\u0415/x"];
                return Put(Uri.EscapeDataString(ids[random.Next(ids.Length)]).Replace("%2F", "/", StringComparison.Ordinal), Valid);
            }
            case 8: // bad list requests
            {
                string[] queries = ["prefix=", "prefix=88..1", "prefix=88.999&page=x", "prefix=88.999&pageSize=-1", "prefix=88.188", "prefix=%ZZ"];
                return new HttpRequestMessage(HttpMethod.Get, Rel("/api/handles?" + queries[random.Next(queries.Length)]));
            }
            default: // overlong values and records
            {
                var type = new string('T', random.Next(129, 400));
                return Put(target, $$"""[{"index":1,"type":"{{type}}","data":"x"}]""");
            }
        }
    }

    private static Uri Rel(string path) => new(path, UriKind.Relative);

    private static HttpRequestMessage Put(string handle, string body) => new(HttpMethod.Put, Rel("/api/handles/" + handle))
    {
        Content = new StringContent(body, Encoding.UTF8, "application/json"),
    };

    private static string RandomAscii(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
            chars[i] = (char)random.Next('a', 'z' + 1);
        return new string(chars);
    }
}
