using System.Globalization;
using System.Text.Json;
using IdNode.Core.Auth;
using IdNode.Core.Handles;
using IdNode.Core.Json;
using IdNode.Core.Ports;
using IdNode.Core.Registry;
using IdNode.Core.Services;
using IdNode.Server.Http;
using IdNode.Server.Snms;

namespace IdNode.Server.Admin;

/// <summary>
/// The management API: enterprises (apply, review, stop/resume), principals, the audit log and
/// record history. Responses use the SNMS envelope and status codes (see <see cref="SnmsStatus"/>).
/// Applying needs no login; everything else needs a principal, and <see cref="RegistryService"/>
/// decides what each role may do.
/// </summary>
public static class AdminApi
{
    private const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/admin/enterprises", (HttpContext c, RegistryService r, TokenService t) => SnmsEnvelope.GuardAsync(c, async () =>
        {
            var principal = await t.AuthenticateAsync(c.Request.Headers.Authorization.ToString(), ClientAddress.Of(c), c.RequestAborted);
            using var body = await ReadAsync(c);
            var b = body.RootElement;
            var e = await r.ApplyAsync(new EnterpriseApplication(S(b, "name"), S(b, "creditCode"), S(b, "contact"), S(b, "industry"), S(b, "town"), S(b, "cluster"),
                S(b, "requestedPrefix")), principal, c.RequestAborted);
            await SnmsEnvelope.OkAsync(c, j => WriteEnterprise(j, e));
        }));
        app.MapGet("/api/admin/enterprises", (HttpContext c, RegistryService r, TokenService t) => SnmsEnvelope.GuardAsync(c, async () =>
        {
            var principal = await RequireAsync(c, t);
            PrefixState? state = null;
            if (c.Request.Query["state"].ToString() is { Length: > 0 } s)
                state = int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && Enum.IsDefined((PrefixState)n)
                    ? (PrefixState)n
                    : throw new HandleException(ResponseCode.InvalidValue, "state must be 0..5 (0 stopped, 1 active, 2 pending delete, 3 rejected, 4 awaiting review, 5 under review)");
            var list = await r.ListAsync(principal, state, c.RequestAborted);
            await SnmsEnvelope.OkAsync(c, j =>
            {
                j.WriteStartArray();
                foreach (var e in list)
                    WriteEnterprise(j, e);
                j.WriteEndArray();
            });
        }));
        app.MapGet("/api/admin/enterprises/{id:long}", (HttpContext c, long id, RegistryService r, TokenService t) => SnmsEnvelope.GuardAsync(c, async () =>
        {
            var e = await r.GetForAsync(id, await RequireAsync(c, t), c.RequestAborted);
            await SnmsEnvelope.OkAsync(c, j => WriteEnterprise(j, e));
        }));
        app.MapPost("/api/admin/enterprises/{id:long}/approve", (HttpContext c, long id, RegistryService r, TokenService t) => SnmsEnvelope.GuardAsync(c, async () =>
        {
            var principal = await RequireAsync(c, t);
            using var body = await ReadAsync(c, optional: true);
            var b = body.RootElement;
            var approval = await r.ApproveAsync(id, principal, S(b, "adminUsername"), S(b, "adminPassword"), c.RequestAborted);
            await SnmsEnvelope.OkAsync(c, j =>
            {
                j.WriteStartObject();
                j.WritePropertyName("enterprise");
                WriteEnterprise(j, approval.Enterprise);
                j.WriteString("adminUsername", approval.AdminUsername);
                // Shown once: only the hash is stored.
                j.WriteString("adminPassword", approval.AdminPassword);
                j.WriteEndObject();
            });
        }));
        app.MapPost("/api/admin/enterprises/{id:long}/reject", (HttpContext c, long id, RegistryService r, TokenService t) =>
            SnmsEnvelope.GuardAsync(c, async () => await ReasonAsync(c, (p, reason) => r.RejectAsync(id, p, reason, c.RequestAborted), t)));
        app.MapPost("/api/admin/enterprises/{id:long}/stop", (HttpContext c, long id, RegistryService r, TokenService t) =>
            SnmsEnvelope.GuardAsync(c, async () => await ReasonAsync(c, (p, reason) => r.StopAsync(id, p, reason, c.RequestAborted), t)));
        app.MapPost("/api/admin/enterprises/{id:long}/resume", (HttpContext c, long id, RegistryService r, TokenService t) =>
            SnmsEnvelope.GuardAsync(c, async () => await ReasonAsync(c, (p, _) => r.ResumeAsync(id, p, c.RequestAborted), t)));
        app.MapPost("/api/admin/enterprises/{id:long}/hosting", (HttpContext c, long id, RegistryService r, TokenService t) => SnmsEnvelope.GuardAsync(c, async () =>
        {
            var principal = await RequireAsync(c, t);
            using var body = await ReadAsync(c);
            var b = body.RootElement;
            var hosting = L(b, "hosting") ?? throw new HandleException(ResponseCode.InvalidValue, "hosting is required: 1 (self-hosted, with site) or 4 (hosted here)");
            var e = await r.SetHostingAsync(id, principal, (HostingState)Math.Clamp(hosting, int.MinValue, int.MaxValue), S(b, "site"), c.RequestAborted);
            await SnmsEnvelope.OkAsync(c, j => WriteEnterprise(j, e));
        }));

        app.MapPost("/api/admin/principals", (HttpContext c, RegistryService r, TokenService t) => SnmsEnvelope.GuardAsync(c, async () =>
        {
            var principal = await RequireAsync(c, t);
            using var body = await ReadAsync(c);
            var b = body.RootElement;
            var (account, password) = await r.CreatePrincipalAsync(principal, S(b, "username"), S(b, "password"), S(b, "role"), L(b, "enterpriseId"), Strings(b, "prefixes"),
                c.RequestAborted);
            await SnmsEnvelope.OkAsync(c, j => WritePrincipal(j, account, password));
        }));
        app.MapGet("/api/admin/principals", (HttpContext c, RegistryService r, TokenService t) => SnmsEnvelope.GuardAsync(c, async () =>
        {
            var list = await r.ListPrincipalsAsync(await RequireAsync(c, t), QueryLong(c, "enterpriseId"), c.RequestAborted);
            await SnmsEnvelope.OkAsync(c, j =>
            {
                j.WriteStartArray();
                foreach (var a in list)
                    WritePrincipal(j, a, null);
                j.WriteEndArray();
            });
        }));
        app.MapMethods("/api/admin/principals/{username}", ["PATCH", "PUT"], (HttpContext c, string username, RegistryService r, TokenService t) => SnmsEnvelope.GuardAsync(c, async () =>
        {
            var principal = await RequireAsync(c, t);
            using var body = await ReadAsync(c);
            var b = body.RootElement;
            bool? disabled = b.TryGetProperty("disabled", out var d) && d.ValueKind is JsonValueKind.True or JsonValueKind.False ? d.GetBoolean() : null;
            var account = await r.UpdatePrincipalAsync(principal, username, disabled, b.TryGetProperty("prefixes", out _) ? Strings(b, "prefixes") : null, S(b, "password"),
                c.RequestAborted);
            await SnmsEnvelope.OkAsync(c, j => WritePrincipal(j, account, null));
        }));

        app.MapGet("/api/admin/audit", (HttpContext c, RegistryService r, TokenService t) => SnmsEnvelope.GuardAsync(c, async () =>
        {
            var principal = await RequireAsync(c, t);
            var q = c.Request.Query;
            var entries = await r.QueryAuditAsync(principal, new AuditQuery(Text(q["actor"]), Text(q["target"]), Text(q["prefix"]), QueryLong(c, "enterpriseId"),
                Text(q["outcome"]), QueryLong(c, "since"), QueryLong(c, "before"), (int)Math.Clamp(QueryLong(c, "limit") ?? 100, 1, RegistryService.MaxAuditRows)), c.RequestAborted);
            await SnmsEnvelope.OkAsync(c, j =>
            {
                j.WriteStartArray();
                foreach (var e in entries)
                {
                    j.WriteStartObject();
                    j.WriteNumber("seq", e.Sequence);
                    j.WriteString("at", DateTimeOffset.FromUnixTimeSeconds(e.At).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                    j.WriteString("actor", e.Actor);
                    j.WriteString("action", e.Action);
                    j.WriteString("target", e.Target);
                    j.WriteString("prefix", e.Prefix);
                    if (e.EnterpriseId is { } id)
                        j.WriteNumber("enterpriseId", id);
                    else
                        j.WriteNull("enterpriseId");
                    j.WriteString("outcome", e.Outcome);
                    j.WriteString("detail", e.Detail);
                    j.WriteEndObject();
                }
                j.WriteEndArray();
            });
        }));

        app.MapGet("/api/admin/history", (HttpContext c, RecordService records, TokenService t, WriteAuthorizer authorizer, IRecordStore store) => SnmsEnvelope.GuardAsync(c, async () =>
        {
            var principal = await RequireAsync(c, t);
            var id = records.ParseOrThrow(c.Request.Query["handle"].ToString());
            authorizer.EnsureCanReadHistory(principal, id);
            var history = await store.GetHistoryAsync(id.Key, c.RequestAborted);
            await SnmsEnvelope.OkAsync(c, j =>
            {
                j.WriteStartArray();
                foreach (var h in history)
                {
                    j.WriteStartObject();
                    j.WriteNumber("version", h.Version);
                    j.WriteString("kind", h.Kind.ToString());
                    j.WriteString("at", DateTimeOffset.FromUnixTimeSeconds(h.At).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                    j.WriteString("actor", h.Actor);
                    j.WriteString("handle", h.Handle);
                    j.WritePropertyName("values");
                    if (h.Data is { } data)
                    {
                        // Stored form is Handle JSON values; hidden secrets stay hashes.
                        using var doc = JsonDocument.Parse(HandleJsonWriter.ResolveResponse(h.Handle, HandleJsonReader.ReadStored(data), null));
                        doc.RootElement.GetProperty("values").WriteTo(j);
                    }
                    else
                    {
                        j.WriteNullValue();
                    }
                    j.WriteEndObject();
                }
                j.WriteEndArray();
            });
        }));
        return app;
    }

    private static async Task ReasonAsync(HttpContext c, Func<Principal, string?, Task<Enterprise>> action, TokenService t)
    {
        var principal = await RequireAsync(c, t);
        using var body = await ReadAsync(c, optional: true);
        var e = await action(principal, S(body.RootElement, "reason"));
        await SnmsEnvelope.OkAsync(c, j => WriteEnterprise(j, e));
    }

    private static async Task<Principal> RequireAsync(HttpContext c, TokenService t)
        => await t.AuthenticateAsync(c.Request.Headers.Authorization.ToString(), ClientAddress.Of(c), c.RequestAborted)
           ?? throw new HandleException(ResponseCode.AuthenticationNeeded, "Not logged in: send Authorization: Bearer <token> (POST /identity/token) or Basic");

    private static async Task<JsonDocument> ReadAsync(HttpContext c, bool optional = false)
    {
        if (optional && (c.Request.ContentLength ?? 0) == 0 && c.Request.ContentType is null)
            return JsonDocument.Parse("{}");
        var doc = JsonDocument.Parse(await HandleApi.ReadJsonBodyAsync(c, MaxBodyBytes));
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw new HandleException(ResponseCode.InvalidValue, "Body must be a JSON object");
        }
        return doc;
    }

    private static string? S(JsonElement e, string name) => SnmsValues.String(e, name);

    private static long? L(JsonElement e, string name)
        => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var v) ? v
            : e.TryGetProperty(name, out p) && p.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
                ? throw new HandleException(ResponseCode.InvalidValue, $"{name} must be an integer")
                : null;

    private static List<string>? Strings(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
            return null;
        if (p.ValueKind != JsonValueKind.Array || p.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
            throw new HandleException(ResponseCode.InvalidValue, $"{name} must be an array of strings");
        return p.EnumerateArray().Select(x => x.GetString()!).ToList();
    }

    private static string? Text(Microsoft.Extensions.Primitives.StringValues v) => v.Count == 0 || v.ToString().Length == 0 ? null : v.ToString();

    private static long? QueryLong(HttpContext c, string name)
    {
        var s = c.Request.Query[name].ToString();
        if (s.Length == 0)
            return null;
        return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new HandleException(ResponseCode.InvalidValue, $"{name} must be an integer");
    }

    private static void WriteEnterprise(Utf8JsonWriter j, Enterprise e)
    {
        j.WriteStartObject();
        j.WriteNumber("id", e.Id);
        j.WriteString("name", e.Name);
        j.WriteString("creditCode", e.CreditCode);
        j.WriteString("contact", e.Contact);
        j.WriteString("industry", e.Industry);
        j.WriteString("town", e.Town);
        j.WriteString("cluster", e.Cluster);
        if (e.RequestedNumber is { } n)
            j.WriteNumber("requestedNumber", n);
        j.WriteNumber("state", (int)e.State);
        j.WriteString("stateName", e.State.ToString());
        j.WriteNumber("hosting", (int)e.Hosting);
        j.WriteString("prefix", e.Prefix);
        j.WriteString("site", e.Site);
        j.WriteString("reason", e.Reason);
        j.WriteString("adminUsername", e.AdminUsername);
        j.WriteNumber("appliedAt", e.AppliedAt);
        if (e.DecidedAt is { } d)
            j.WriteNumber("decidedAt", d);
        j.WriteEndObject();
    }

    private static void WritePrincipal(Utf8JsonWriter j, PrincipalAccount a, string? password)
    {
        j.WriteStartObject();
        j.WriteString("username", a.Username);
        j.WriteString("role", a.Role.ToString());
        if (a.EnterpriseId is { } id)
            j.WriteNumber("enterpriseId", id);
        else
            j.WriteNull("enterpriseId");
        j.WriteStartArray("prefixes");
        foreach (var p in a.Prefixes)
            j.WriteStringValue(p);
        j.WriteEndArray();
        j.WriteBoolean("disabled", a.Disabled);
        if (password is not null)
            j.WriteString("password", password);
        j.WriteEndObject();
    }
}
