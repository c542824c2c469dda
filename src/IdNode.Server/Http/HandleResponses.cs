using System.Buffers;
using System.Text;
using System.Text.Json;
using IdNode.Core.Handles;
using IdNode.Core.Json;

namespace IdNode.Server.Http;

/// <summary>Writes Handle JSON bodies with the API's options: pretty printing and JSONP.</summary>
public static class HandleResponses
{
    public const string JsonContentType = "application/json; charset=utf-8";
    public const string JavaScriptContentType = "application/javascript; charset=utf-8";

    public static Task WriteAsync(HttpContext context, int status, byte[] json, HandleQuery? query)
    {
        var response = context.Response;
        response.StatusCode = status;
        if (query is { Pretty: true })
            json = Reindent(json);
        if (query?.Callback is { } callback)
        {
            response.ContentType = JavaScriptContentType;
            var prefix = Encoding.UTF8.GetBytes(callback + "(");
            var wrapped = new byte[prefix.Length + json.Length + 2];
            prefix.CopyTo(wrapped, 0);
            json.CopyTo(wrapped, prefix.Length);
            ");"u8.CopyTo(wrapped.AsSpan(prefix.Length + json.Length));
            json = wrapped;
        }
        else
        {
            response.ContentType = JsonContentType;
        }
        response.ContentLength = json.Length;
        return WriteBodyAsync(response, json);
    }

    /// <summary>Completes synchronously when the bytes fit in the transport's buffer (the usual case).</summary>
    public static Task WriteBodyAsync(HttpResponse response, byte[] body)
    {
        // HEAD: same status and Content-Length, no body (Kestrel would drop it; other hosts may not).
        if (HttpMethods.IsHead(response.HttpContext.Request.Method))
            return Task.CompletedTask;
        var pending = response.BodyWriter.WriteAsync(body);
        return pending.IsCompletedSuccessfully ? Task.CompletedTask : pending.AsTask();
    }

    public static Task ErrorAsync(HttpContext context, HandleException error, string? handle, HandleQuery? query, bool isResolve = false)
    {
        var status = HandleStatus.For(error, isResolve);
        if (error is Core.Auth.LoginLockedException locked)
            context.Response.Headers.RetryAfter = HandleStatus.RetryAfterSeconds(locked);
        if (status == StatusCodes.Status401Unauthorized && MayWantBasic(context.Request))
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"handle\"";
        // A resolution referral (300) names its preferred target the way HTTP does, besides the body.
        if (isResolve && error is ReferralException referral)
            context.Response.Headers.Location = referral.Location;
        return WriteAsync(context, status, HandleJsonWriter.Error(error, handle), query);
    }

    public static Task ErrorAsync(HttpContext context, ResponseCode code, string? handle, string message, HandleQuery? query = null, bool isResolve = false)
        => ErrorAsync(context, new HandleException(code, message), handle, query, isResolve);

    // As Handle.Net: offer Basic when the client tried it, or when it is not a script that would pop a browser dialog.
    private static bool MayWantBasic(HttpRequest request)
    {
        var auth = request.Headers.Authorization.ToString();
        if (auth.Length > 0)
            return auth.StartsWith("Basic", StringComparison.OrdinalIgnoreCase);
        return !string.Equals(request.Headers.XRequestedWith, "XMLHttpRequest", StringComparison.OrdinalIgnoreCase);
    }

    private static byte[] Reindent(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        var buffer = new ArrayBufferWriter<byte>(json.Length * 2);
        using (var w = new Utf8JsonWriter(buffer, HandleJsonWriter.Options(pretty: true)))
            doc.WriteTo(w);
        return buffer.WrittenSpan.ToArray();
    }
}
