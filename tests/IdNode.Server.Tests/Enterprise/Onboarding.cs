using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using IdNode.Server.Tests.Grpc;

namespace IdNode.Server.Tests.Enterprise;

/// <summary>Drives a test node through the public HTTP APIs: logins, applications, approvals, principals.</summary>
public sealed class Onboarding(GrpcTestServer server)
{
    public const string AdminUser = "300:88.999/ADMIN";
    public const string ValidCreditCode = "91350100M000100Y43";

    public HttpClient Anonymous() => server.CreateClient();

    public HttpClient Bearer(string token)
    {
        var c = server.CreateClient();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    public static Metadata GrpcBearer(string token) => new() { { "authorization", "Bearer " + token } };

    public async Task<string> LoginAsync(string username, string password)
    {
        var (status, body) = await SendAsync(Anonymous(), HttpMethod.Post, "/identity/token", new { username, password });
        Assert.True(status == HttpStatusCode.OK && body.GetProperty("status").GetInt32() == 1, $"login of {username} failed: {(int)status} {body}");
        return body.GetProperty("data").GetProperty("token").GetString()!;
    }

    public Task<string> AdminTokenAsync() => LoginAsync(AdminUser, GrpcTestServer.AdminSecret);

    public async Task<long> ApplyAsync(string name, string? requestedPrefix = null)
    {
        var (_, body) = await SendAsync(Anonymous(), HttpMethod.Post, "/api/admin/enterprises", new
        {
            name, creditCode = ValidCreditCode, contact = "li@example.cn", industry = "C/38/385/3851", town = "Xiaolan", cluster = "lighting", requestedPrefix,
        });
        Assert.True(body.GetProperty("status").GetInt32() == 1, body.ToString());
        return body.GetProperty("data").GetProperty("id").GetInt64();
    }

    /// <summary>Approves and returns (prefix, admin user name, admin password).</summary>
    public async Task<(string Prefix, string User, string Password)> ApproveAsync(string adminToken, long id)
    {
        var (_, body) = await SendAsync(Bearer(adminToken), HttpMethod.Post, $"/api/admin/enterprises/{id}/approve", new { });
        Assert.True(body.GetProperty("status").GetInt32() == 1, body.ToString());
        var data = body.GetProperty("data");
        return (data.GetProperty("enterprise").GetProperty("prefix").GetString()!, data.GetProperty("adminUsername").GetString()!, data.GetProperty("adminPassword").GetString()!);
    }

    /// <summary>An approved enterprise: its prefix and its admin's token.</summary>
    public async Task<(string Prefix, string Token, long Id)> EnterpriseAsync(string adminToken, string name, string? requested = null)
    {
        var id = await ApplyAsync(name, requested);
        var (prefix, user, password) = await ApproveAsync(adminToken, id);
        return (prefix, await LoginAsync(user, password), id);
    }

    public async Task<string> PrincipalAsync(string creatorToken, string username, string role, params string[] prefixes)
    {
        var (_, body) = await SendAsync(Bearer(creatorToken), HttpMethod.Post, "/api/admin/principals", new { username, password = "password-" + username, role, prefixes });
        Assert.True(body.GetProperty("status").GetInt32() == 1, body.ToString());
        return await LoginAsync(username, "password-" + username);
    }

    public async Task<JsonElement[]> AuditAsync(string adminToken, string query)
    {
        var (_, body) = await SendAsync(Bearer(adminToken), HttpMethod.Get, "/api/admin/audit?" + query, null);
        Assert.Equal(1, body.GetProperty("status").GetInt32());
        return body.GetProperty("data").EnumerateArray().ToArray();
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient client, HttpMethod method, string url, object? body)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return (response.StatusCode, doc.RootElement.Clone());
    }

    /// <summary>An SNMS item with one public and one authorised-only value.</summary>
    public static object Item(string handle, string name = "pump") => new
    {
        handle,
        templateVersion = "1.0",
        value = new object[]
        {
            new { index = 2001, type = "productName", auth = "0", data = new { format = "string", value = name } },
            new { index = 2002, type = "costPrice", auth = "1", data = new { format = "string", value = "12.50" } },
        },
    };
}
