using IdNode.Core.Handles;
using IdNode.Core.Ports;
using IdNode.Core.Json;
using IdNode.Core.Services;
using IdNode.Server.Options;
using Microsoft.Extensions.Options;

namespace IdNode.Server.Http;

/// <summary>The Handle-compatible REST API besides resolution (which is <see cref="ResolveMiddleware"/>).</summary>
public static partial class HandleApi
{
    public static IEndpointRouteBuilder MapHandleApi(this IEndpointRouteBuilder app)
    {
        app.MapPut("/api/handles/{**handle}", PutAsync);
        app.MapDelete("/api/handles/{**handle}", DeleteAsync);
        app.MapMethods("/api/handles", ["GET", "HEAD"], ListAsync);
        app.MapMethods("/api/handles/{**handle}", ["POST", "PATCH"], NotSupportedAsync);
        app.MapMethods("/api/site", ["GET", "HEAD"], SiteAsync);
        app.MapMethods("/api/prefixes", ["GET", "HEAD"], PrefixesAsync);
        return app;
    }

    private static Task NotSupportedAsync(HttpContext context)
        => HandleResponses.ErrorAsync(context, ResponseCode.OperationNotSupported, null, $"Operation not supported: {context.Request.Method} (use GET, HEAD, PUT, DELETE)");

    /// <summary>The decoded handle after <c>/api/handles/</c>.</summary>
    private static string HandleFromPath(HttpContext context)
    {
        var path = RawPath.Of(context, out _);
        return path.Length <= ResolveMiddleware.ApiPrefix.Length ? "" : RawPath.Decode(path[ResolveMiddleware.ApiPrefix.Length..]);
    }

    private static async Task PutAsync(HttpContext context, RecordService records, HttpAuthenticator authenticator, IOptions<HttpApiOptions> options)
    {
        HandleQuery? query = null;
        string? display = null;
        try
        {
            query = HandleQuery.Parse(context.Request.Query);
            display = HandleFromPath(context);
            if (display.Length == 0)
                throw new HandleException(ResponseCode.InvalidHandle, "Empty handle invalid");
            var mint = query.MintNewSuffix && display.EndsWith('/');
            if (!mint)
                records.ParseOrThrow(display);

            var principal = await authenticator.AuthenticateAsync(context)
                ?? throw new HandleException(ResponseCode.AuthenticationNeeded, "Authentication needed: writes need a credential (Basic index%3Ahandle:secret)");

            var values = HandleJsonReader.ReadBody(await ReadJsonBodyAsync(context, options.Value.MaxBodyBytes), out var bodyHandle);
            var overwrite = query.Overwrite ?? true;
            PutResult result;
            if (mint)
            {
                result = await records.MintAsync(display[..^1], values, principal, context.RequestAborted);
            }
            else
            {
                var id = records.ParseOrThrow(display);
                if (bodyHandle is not null && (!Core.Identifiers.IdentifierParser.TryParse(bodyHandle, records.Node.Rules, out var bodyId, out _) || bodyId.Key != id.Key))
                    throw new HandleException(ResponseCode.InvalidHandle, $"The body's handle '{bodyHandle}' does not match the path's '{display}'");
                result = await records.PutAsync(id, values, new PutOptions(overwrite, query.Indexes, query.IndexVarious), principal, cancellationToken: context.RequestAborted);
            }
            var status = result.Created && (mint || !overwrite) ? StatusCodes.Status201Created : StatusCodes.Status200OK;
            await HandleResponses.WriteAsync(context, status, Success(result.Handle), query);
        }
        catch (Exception e) when (StoreErrors.AsHandleError(e) is { } error)
        {
            await HandleResponses.ErrorAsync(context, error, display, query);
        }
    }

    private static async Task DeleteAsync(HttpContext context, RecordService records, HttpAuthenticator authenticator)
    {
        HandleQuery? query = null;
        string? display = null;
        try
        {
            query = HandleQuery.Parse(context.Request.Query);
            display = HandleFromPath(context);
            var id = records.ParseOrThrow(display);
            var principal = await authenticator.AuthenticateAsync(context)
                ?? throw new HandleException(ResponseCode.AuthenticationNeeded, "Authentication needed: writes need a credential (Basic index%3Ahandle:secret)");
            await records.DeleteAsync(id, query.Indexes, principal, context.RequestAborted);
            await HandleResponses.WriteAsync(context, StatusCodes.Status200OK, Success(display), query);
        }
        catch (Exception e) when (StoreErrors.AsHandleError(e) is { } error)
        {
            await HandleResponses.ErrorAsync(context, error, display, query);
        }
    }

    private static byte[] Success(string handle) => HandleJsonWriter.Success(handle);

    internal static async Task<ReadOnlyMemory<byte>> ReadJsonBodyAsync(HttpContext context, int maxBytes)
    {
        var request = context.Request;
        var contentType = request.ContentType;
        if (contentType is null || !IsJson(contentType))
            throw new HandleException(ResponseCode.ProtocolError, $"Content-Type must be application/json (got '{contentType ?? "none"}')");
        if (request.ContentLength > maxBytes)
            throw new HandleException(ResponseCode.ProtocolError, $"Body too large: {request.ContentLength} bytes (limit {maxBytes})");

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        try
        {
            while ((n = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + n > maxBytes)
                    throw new HandleException(ResponseCode.ProtocolError, $"Body too large (limit {maxBytes} bytes)");
                buffer.Write(chunk, 0, n);
            }
        }
        catch (BadHttpRequestException e)
        {
            throw new HandleException(ResponseCode.ProtocolError, $"Bad request body: {e.Message}");
        }
        if (buffer.Length == 0)
            throw new HandleException(ResponseCode.ProtocolError, "Empty body: send the values as JSON");
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static bool IsJson(string contentType)
    {
        var media = contentType.AsSpan();
        var semi = media.IndexOf(';');
        if (semi >= 0)
            media = media[..semi];
        media = media.Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
               || (media.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }
}
