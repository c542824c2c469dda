using System.Text.Json;
using IdNode.Core.Handles;

namespace IdNode.Server.Snms;

/// <summary><c>{"status":..,"message":..,"data":..}</c>, the SNMS response shape (also used by the management API).</summary>
public static class SnmsEnvelope
{
    public const string ContentType = "application/json; charset=utf-8";

    public static async Task WriteAsync(HttpContext context, int status, string message, Action<Utf8JsonWriter>? data, ResponseCode rc = ResponseCode.Success,
        int? httpStatus = null)
    {
        var response = context.Response;
        response.StatusCode = httpStatus ?? SnmsStatus.HttpStatus(status, rc);
        response.ContentType = ContentType;
        if (status == SnmsStatus.NotLoggedIn)
            response.Headers.WWWAuthenticate = "Bearer";
        await using var json = new Utf8JsonWriter(response.Body, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default });
        json.WriteStartObject();
        json.WriteNumber("status", status);
        json.WriteString("message", message);
        if (data is null)
            json.WriteNull("data");
        else
        {
            json.WritePropertyName("data");
            data(json);
        }
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    public static Task OkAsync(HttpContext context, Action<Utf8JsonWriter>? data) => WriteAsync(context, SnmsStatus.Ok, "success", data);

    public static Task ErrorAsync(HttpContext context, HandleException e)
    {
        if (e is Core.Auth.LoginLockedException locked)
        {
            // Still "not logged in" for SNMS clients; 429 + Retry-After tells generic clients to wait.
            context.Response.Headers.RetryAfter = Http.HandleStatus.RetryAfterSeconds(locked);
            return WriteAsync(context, SnmsStatus.NotLoggedIn, e.Message, null, e.Code, Http.HandleStatus.For(e));
        }
        return WriteAsync(context, SnmsStatus.FromResponseCode(e.Code), e.Message, e is ReferralException r ? j => WriteReferral(j, r) : null, e.Code);
    }

    private static void WriteReferral(Utf8JsonWriter json, ReferralException referral)
    {
        json.WriteStartObject();
        json.WriteNumber("responseCode", (int)referral.Code);
        json.WriteString("site", referral.Site);
        json.WriteString("location", referral.Location);
        json.WriteEndObject();
    }

    /// <summary>Runs an SNMS-style endpoint, answering domain failures, store outages and broken JSON with the envelope.</summary>
    public static async Task GuardAsync(HttpContext context, Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (Exception e) when (Http.StoreErrors.AsHandleError(e) is { } error)
        {
            await ErrorAsync(context, error);
        }
        catch (JsonException e)
        {
            await WriteAsync(context, SnmsStatus.Business, $"Malformed JSON body: {e.Message}", null);
        }
    }
}
