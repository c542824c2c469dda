using System.Net;
using System.Text;
using System.Text.Json;

namespace IdNode.Server.Tests.Http;

internal static class HttpExtensions
{
    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, string json)
        => client.PutAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public static async Task<JsonElement> ExpectAsync(this Task<HttpResponseMessage> pending, HttpStatusCode status, int responseCode)
    {
        var response = await pending;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(responseCode, doc.RootElement.GetProperty("responseCode").GetInt32());
        return doc.RootElement.Clone();
    }

    public static int[] Indexes(this JsonElement resolveBody)
        => resolveBody.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("index").GetInt32()).ToArray();
}
