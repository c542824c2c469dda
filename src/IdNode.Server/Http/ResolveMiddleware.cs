using IdNode.Core.Caching;
using IdNode.Core.Handles;
using IdNode.Core.Ports;
using IdNode.Core.Identifiers;
using IdNode.Core.Json;
using IdNode.Core.Node;
using IdNode.Core.Services;

namespace IdNode.Server.Http;

/// <summary>
/// <c>GET|HEAD /api/handles/{handle}</c>, ahead of routing: the hot path. A plain anonymous request
/// for a cached identifier normalises into a stack buffer, finds the entry without allocating a
/// key, and copies the cached bytes; anything else (query, credentials, miss) takes the slow path.
/// </summary>
public sealed class ResolveMiddleware(RequestDelegate next, Resolver resolver, NodeSettings node, HttpAuthenticator authenticator, WriteAuthorizer authorizer)
{
    public const string ApiPrefix = "/api/handles/";

    private static readonly PathString ApiSegment = new("/api/handles");

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            // Not the overload with "out remaining": that one allocates the rest of the path as a new string per request.
            || !request.Path.StartsWithSegments(ApiSegment, StringComparison.OrdinalIgnoreCase) || request.Path.Value!.Length <= ApiSegment.Value!.Length)
            return next(context);

        var path = RawPath.Of(context, out _);
        if (path.Length <= ApiPrefix.Length)
            return path.Length == ApiPrefix.Length
                ? HandleResponses.ErrorAsync(context, ResponseCode.InvalidHandle, null, "Empty handle invalid", null, isResolve: true)
                : next(context);
        var encoded = path[ApiPrefix.Length..];

        if (encoded.IndexOf('%') < 0 && !request.QueryString.HasValue && request.Headers.Authorization.Count == 0)
        {
            if (resolver.TryGetCached(encoded, node.Rules, out var hit) && hit.PublicJson is { } bytes)
            {
                var response = context.Response;
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = HandleResponses.JsonContentType;
                response.ContentLength = bytes.Length;
                return HandleResponses.WriteBodyAsync(response, bytes);
            }
        }
        return SlowAsync(context, new string(encoded));
    }

    private async Task SlowAsync(HttpContext context, string encoded)
    {
        HandleQuery? query = null;
        string? display = null;
        try
        {
            query = HandleQuery.Parse(context.Request.Query);
            display = RawPath.Decode(encoded);
            if (!IdentifierParser.TryParse(display, node.Rules, out var id, out var parseError))
            {
                await HandleResponses.ErrorAsync(context, ResponseCode.InvalidHandle, display, parseError.Message, query, isResolve: true);
                return;
            }
            var principal = await authenticator.AuthenticateAsync(context);
            var entry = await resolver.ResolveAsync(id.Key, query.Authoritative, context.RequestAborted);
            await WriteEntryAsync(context, id, entry, query, principal);
        }
        catch (Exception e) when (StoreErrors.AsHandleError(e) is { } error)
        {
            await HandleResponses.ErrorAsync(context, error, display, query, isResolve: true);
        }
    }

    private Task WriteEntryAsync(HttpContext context, Identifier id, CacheEntry entry, HandleQuery query, Core.Auth.Principal? principal)
    {
        if (entry.Record is not { } record)
            return HandleResponses.ErrorAsync(context, ResponseCode.HandleNotFound, id.Display, "Handle Not Found", query, isResolve: true);

        // Anonymous callers only ever see public values; an authorised caller sees the rest unless publicOnly is asked.
        var includePrivate = principal is not null && query.PublicOnly != true && authorizer.CanReadPrivate(principal, id, record);
        if (!query.HasFilters && !includePrivate)
            return HandleResponses.WriteAsync(context, StatusCodes.Status200OK, entry.PublicJson!, query);

        var matched = record.Values.Where(v => (includePrivate || v.IsPublicRead) && query.Matches(v)).ToList();
        if (matched.Count == 0 && query.HasFilters)
            return HandleResponses.ErrorAsync(context, ResponseCode.ValuesNotFound, record.Handle, "Values Not Found", query, isResolve: true);
        return HandleResponses.WriteAsync(context, StatusCodes.Status200OK, HandleJsonWriter.ResolveResponse(record.Handle, matched, null), query);
    }
}
