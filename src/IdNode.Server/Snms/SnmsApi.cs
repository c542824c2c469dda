using System.Text.Json;
using IdNode.Core.Auth;
using IdNode.Core.Handles;
using IdNode.Core.Ports;
using IdNode.Core.Records;
using IdNode.Core.Registry;
using IdNode.Core.Services;
using IdNode.Server.Http;

namespace IdNode.Server.Snms;

/// <summary>
/// The SNMS-compatible façade (PROTOCOLS.md §2) over the same write path, authoriser and resolver
/// as every other surface. Every <c>/identityv2</c> call needs a principal (Bearer token from
/// <c>/identity/token</c>, or Handle Basic).
/// Batches run through <see cref="RecordService.BatchPutAsync"/>: each item is validated and
/// authorised on its own and committed in store transactions of many items; a failed item does not
/// stop the others, and an item that already holds exactly the sent values succeeds, so a client
/// may resend a whole batch whose outcome it did not learn. The envelope's status is 1 only when
/// every item succeeded, else −2 with the per-item results in <c>data</c>.
/// </summary>
public static class SnmsApi
{
    /// <summary>2000 items of a few KiB each; the Handle PUT limit (1 MiB) is for one record.</summary>
    public const int MaxBatchBodyBytes = 32 * 1024 * 1024;
    private const int MaxSingleBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapSnms(this IEndpointRouteBuilder app)
    {
        app.MapPost("/identity/token", TokenAsync);
        app.MapPost("/identityv2/data", (HttpContext c, RecordService r, TokenService t) => SnmsEnvelope.GuardAsync(c, () => CreateOneAsync(c, r, t)));
        app.MapPut("/identityv2/data", (HttpContext c, RecordService r, TokenService t) => SnmsEnvelope.GuardAsync(c, () => UpdateOneAsync(c, r, t)));
        app.MapDelete("/identityv2/data", (HttpContext c, RecordService r, TokenService t, IRecordStore s) => SnmsEnvelope.GuardAsync(c, () => DeleteOneAsync(c, r, t, s)));
        app.MapGet("/identityv2/data/detail", (HttpContext c, RecordService r, TokenService t, Resolver res, WriteAuthorizer a) => SnmsEnvelope.GuardAsync(c, () => DetailAsync(c, r, t, res, a)));
        app.MapPost("/identityv2/data/batchCreate", (HttpContext c, RecordService r, TokenService t, AuditLog l) => SnmsEnvelope.GuardAsync(c, () => BatchPutAsync(c, r, t, l, update: false)));
        app.MapPut("/identityv2/data/batchUpdate", (HttpContext c, RecordService r, TokenService t, AuditLog l) => SnmsEnvelope.GuardAsync(c, () => BatchPutAsync(c, r, t, l, update: true)));
        app.MapDelete("/identityv2/data/batchDelete", (HttpContext c, RecordService r, TokenService t, AuditLog l, IRecordStore s) => SnmsEnvelope.GuardAsync(c, () => BatchDeleteAsync(c, r, t, l, s)));
        return app;
    }

    private static Task TokenAsync(HttpContext context, TokenService tokens) => SnmsEnvelope.GuardAsync(context, async () =>
    {
        using var body = JsonDocument.Parse(await HandleApi.ReadJsonBodyAsync(context, 64 * 1024));
        if (body.RootElement.ValueKind != JsonValueKind.Object)
            throw new HandleException(ResponseCode.AuthenticationFailed, "Body must be {\"username\":..,\"password\":..}");
        var token = await tokens.LoginAsync(SnmsValues.String(body.RootElement, "username"), SnmsValues.String(body.RootElement, "password"),
            ClientAddress.Of(context), context.RequestAborted);
        await SnmsEnvelope.OkAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("token", token);
            json.WriteNumber("expiresIn", (long)TokenService.Lifetime.TotalSeconds);
            json.WriteEndObject();
        });
    });

    private static async Task<Principal> RequireAsync(HttpContext context, TokenService tokens)
        => await tokens.AuthenticateAsync(context.Request.Headers.Authorization.ToString(), ClientAddress.Of(context), context.RequestAborted)
           ?? throw new HandleException(ResponseCode.AuthenticationNeeded, "Not logged in: send Authorization: Bearer <token> (POST /identity/token)");

    private static async Task CreateOneAsync(HttpContext context, RecordService records, TokenService tokens)
    {
        var principal = await RequireAsync(context, tokens);
        using var body = JsonDocument.Parse(await HandleApi.ReadJsonBodyAsync(context, MaxSingleBodyBytes));
        var item = SnmsValues.Read(body.RootElement, records);
        var outcome = (await records.BatchPutAsync([new BatchPutItem(item.Id, item.Values)], overwrite: false, principal, context.RequestAborted))[0];
        if (outcome.Error is { } error)
            throw error;
        await SnmsEnvelope.WriteAsync(context, SnmsStatus.Ok, outcome.Result.Changed ? "success" : "success: already exists with the same content", HandleData(item.Handle));
    }

    private static async Task UpdateOneAsync(HttpContext context, RecordService records, TokenService tokens)
    {
        var principal = await RequireAsync(context, tokens);
        using var body = JsonDocument.Parse(await HandleApi.ReadJsonBodyAsync(context, MaxSingleBodyBytes));
        var item = SnmsValues.Read(body.RootElement, records);
        var existing = await records.GetAsync(item.Id, context.RequestAborted)
                       ?? throw new HandleException(ResponseCode.HandleNotFound, $"Handle not found: {item.Handle}");
        await records.PutAsync(item.Id, SnmsValues.ComposeUpdate(existing, item), PutOptions.Replace, principal, cancellationToken: context.RequestAborted);
        await SnmsEnvelope.OkAsync(context, HandleData(item.Handle));
    }

    private static async Task DeleteOneAsync(HttpContext context, RecordService records, TokenService tokens, IRecordStore store)
    {
        var principal = await RequireAsync(context, tokens);
        var handle = context.Request.Query["handle"].ToString();
        if (handle.Length == 0)
        {
            using var body = JsonDocument.Parse(await HandleApi.ReadJsonBodyAsync(context, MaxSingleBodyBytes));
            handle = SnmsValues.String(body.RootElement, "handle") ?? "";
        }
        var message = await DeleteAsync(handle, records, store, principal, context.RequestAborted);
        await SnmsEnvelope.WriteAsync(context, SnmsStatus.Ok, message, HandleData(handle));
    }

    /// <summary>Deletes one identifier; one already deleted counts as success, so a resent delete succeeds.</summary>
    private static async Task<string> DeleteAsync(string handle, RecordService records, IRecordStore store, Principal principal, CancellationToken ct)
    {
        if (handle.Length > SnmsValues.MaxHandleLength)
            throw new HandleException(ResponseCode.InvalidHandle, $"handle must be at most {SnmsValues.MaxHandleLength} characters (got {handle.Length})");
        var id = records.ParseOrThrow(handle);
        try
        {
            await records.DeleteAsync(id, null, principal, ct);
            return "success";
        }
        catch (HandleException e) when (e.Code == ResponseCode.HandleNotFound)
        {
            // DeleteAsync authorised the principal before reporting "not found".
            var history = await store.GetHistoryAsync(id.Key, ct);
            if (history.Count > 0 && history[^1].Kind == ChangeKind.Delete)
                return "success: already deleted";
            throw;
        }
    }

    private static async Task DetailAsync(HttpContext context, RecordService records, TokenService tokens, Resolver resolver, WriteAuthorizer authorizer)
    {
        var principal = await RequireAsync(context, tokens);
        var handle = context.Request.Query["handle"].ToString();
        if (handle.Length == 0)
            throw new HandleException(ResponseCode.InvalidHandle, "handle is required: /identityv2/data/detail?handle=prefix/suffix");
        if (handle.Length > SnmsValues.MaxHandleLength)
            throw new HandleException(ResponseCode.InvalidHandle, $"handle must be at most {SnmsValues.MaxHandleLength} characters (got {handle.Length})");
        var id = records.ParseOrThrow(handle);
        var entry = await resolver.ResolveAsync(id.Key, false, context.RequestAborted);
        if (entry.Record is not { } record)
            throw new HandleException(ResponseCode.HandleNotFound, $"Handle not found: {handle}");
        var includePrivate = authorizer.CanReadPrivate(principal, id, record);
        await SnmsEnvelope.OkAsync(context, json => SnmsValues.WriteDetail(json, record, includePrivate));
    }

    private static async Task BatchPutAsync(HttpContext context, RecordService records, TokenService tokens, AuditLog audit, bool update)
    {
        var (principal, body, array) = await ReadBatchAsync(context, tokens);
        using var _ = body;
        var count = array.GetArrayLength();
        var handles = new string[count];
        var errors = new HandleException?[count];
        var messages = new string[count];
        var valid = new List<(int Position, BatchPutItem Item)>(count);
        var position = 0;
        foreach (var element in array.EnumerateArray())
        {
            var i = position++;
            handles[i] = element.ValueKind == JsonValueKind.Object ? SafeHandle(element) : "";
            try
            {
                var item = SnmsValues.Read(element, records);
                // An update keeps the stored values it does not replace; the batch path merges them
                // into the record it reads anyway, so each record is read once.
                valid.Add((i, update ? new BatchPutItem(item.Id, item.Values, existing => SnmsValues.ComposeUpdate(existing, item)) : new BatchPutItem(item.Id, item.Values)));
            }
            catch (HandleException e)
            {
                errors[i] = e;
            }
        }

        var outcomes = await records.BatchPutAsync(valid.Select(v => v.Item).ToArray(), overwrite: update, principal, context.RequestAborted);
        for (var j = 0; j < valid.Count; j++)
        {
            var (i, _) = valid[j];
            errors[i] = outcomes[j].Error;
            messages[i] = outcomes[j].Error is null && !outcomes[j].Result.Changed ? "success: already exists with the same content" : "success";
        }
        await WriteBatchResultAsync(context, audit, principal, update ? "snms.batchUpdate" : "snms.batchCreate", handles, errors, messages);
    }

    private static async Task BatchDeleteAsync(HttpContext context, RecordService records, TokenService tokens, AuditLog audit, IRecordStore store)
    {
        var (principal, body, array) = await ReadBatchAsync(context, tokens);
        using var _ = body;
        var count = array.GetArrayLength();
        var handles = new string[count];
        var errors = new HandleException?[count];
        var messages = new string[count];
        var i = 0;
        foreach (var element in array.EnumerateArray())
        {
            handles[i] = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.ValueKind == JsonValueKind.Object ? SafeHandle(element) : "";
            try
            {
                messages[i] = await DeleteAsync(handles[i], records, store, principal, context.RequestAborted);
            }
            catch (HandleException e)
            {
                errors[i] = e;
            }
            i++;
        }
        await WriteBatchResultAsync(context, audit, principal, "snms.batchDelete", handles, errors, messages);
    }

    private static Task WriteBatchResultAsync(HttpContext context, AuditLog audit, Principal principal, string action, string[] handles, HandleException?[] errors, string[] messages)
    {
        var failed = errors.Count(e => e is not null);
        audit.Record(principal.Name, action, $"{handles.Length} items", null, principal.EnterpriseId, failed == 0 ? AuditEntry.Ok : AuditEntry.Failed,
            $"{handles.Length - failed} succeeded, {failed} failed");
        var status = failed == 0 ? SnmsStatus.Ok : SnmsStatus.Business;
        var message = failed == 0 ? "success" : $"{failed} of {handles.Length} items failed; see data for each item";
        return SnmsEnvelope.WriteAsync(context, status, message, json =>
        {
            json.WriteStartArray();
            for (var k = 0; k < handles.Length; k++)
            {
                json.WriteStartObject();
                json.WriteString("handle", handles[k]);
                json.WriteNumber("code", errors[k] is { } e ? SnmsStatus.FromResponseCode(e.Code) : SnmsStatus.Ok);
                json.WriteString("msg", errors[k]?.Message ?? messages[k]);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
    }

    /// <summary>The caller's principal and the batch's item array, its size checked; the caller disposes the document.</summary>
    private static async Task<(Principal Principal, JsonDocument Body, JsonElement Items)> ReadBatchAsync(HttpContext context, TokenService tokens)
    {
        var principal = await RequireAsync(context, tokens);
        var body = JsonDocument.Parse(await HandleApi.ReadJsonBodyAsync(context, MaxBatchBodyBytes));
        try
        {
            var items = ItemsOf(body.RootElement);
            CheckCount(items.GetArrayLength());
            return (principal, body, items);
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    private static void CheckCount(int count)
    {
        if (count > RecordService.MaxBatchItems)
            throw new HandleException(ResponseCode.InvalidValue, $"A batch takes at most {RecordService.MaxBatchItems} items (got {count}); split it");
        if (count == 0)
            throw new HandleException(ResponseCode.InvalidValue, "The batch is empty");
    }

    /// <summary>The item array: the body itself, or its <c>data</c>, <c>list</c>, <c>items</c> or <c>handles</c> member.</summary>
    private static JsonElement ItemsOf(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array)
            return root;
        if (root.ValueKind == JsonValueKind.Object)
            foreach (var name in (ReadOnlySpan<string>)["data", "list", "items", "handles"])
                if (root.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array)
                    return a;
        throw new HandleException(ResponseCode.InvalidValue, "Body must be an array of items, or an object with a 'data' array");
    }

    private static string SafeHandle(JsonElement element)
        => element.TryGetProperty("handle", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString()! : "";

    private static Action<Utf8JsonWriter> HandleData(string handle) => json =>
    {
        json.WriteStartObject();
        json.WriteString("handle", handle);
        json.WriteEndObject();
    };
}
