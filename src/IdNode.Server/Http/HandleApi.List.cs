using System.Globalization;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Json;
using IdNode.Core.Node;
using IdNode.Core.Ports;
using IdNode.Core.Services;
using IdNode.Server.Options;
using Microsoft.Extensions.Options;

namespace IdNode.Server.Http;

public static partial class HandleApi
{
    public const int MaxPageSize = 10_000;

    private static async Task ListAsync(HttpContext context, IRecordStore store, NodeSettings node, ListCursors cursors,
        HttpAuthenticator authenticator, WriteAuthorizer authorizer, IOptions<HttpApiOptions> options)
    {
        HandleQuery? query = null;
        string? prefixParam = null;
        try
        {
            query = HandleQuery.Parse(context.Request.Query);
            var q = context.Request.Query;
            prefixParam = q["prefix"].ToString();
            if (prefixParam.Length == 0)
                throw new HandleException(ResponseCode.InvalidHandle, "Empty handle invalid");
            if (prefixParam.StartsWith("0.NA/", StringComparison.OrdinalIgnoreCase))
                prefixParam = prefixParam[5..];
            if (!IdentifierParser.TryNormalizePrefix(prefixParam, out var prefix, out var error))
                throw new HandleException(ResponseCode.InvalidHandle, $"Invalid prefix '{prefixParam}': {error.Message}");
            if (!node.IsAuthoritativeFor(prefix))
                throw new HandleException(ResponseCode.ServerNotResponsible, $"Server not responsible for prefix {prefixParam}: this node serves {node.Prefix}");
            var page = IntParam(q, "page", 0, 0, int.MaxValue);
            var pageSize = IntParam(q, "pageSize", options.Value.DefaultPageSize, 0, MaxPageSize);

            if (options.Value.ListRequiresAuth)
            {
                var principal = await authenticator.AuthenticateAsync(context)
                    ?? throw new HandleException(ResponseCode.AuthenticationNeeded, "Authentication needed to list handles");
                var probe = Identifier.Parse(prefix + "/x", node.Rules);
                if (!authorizer.CanWrite(principal, probe, null, Core.Records.AdminPermission.ListHandles))
                    throw new HandleException(ResponseCode.InsufficientPermissions, $"Insufficient permissions to list {prefixParam}");
            }

            var total = await store.CountAsync(prefix, context.RequestAborted);
            IReadOnlyList<ListedHandle> handles = [];
            if (pageSize > 0 && (long)page * pageSize < total)
            {
                var (after, skip) = cursors.StartOf(prefix, pageSize, page);
                handles = await store.ListAsync(prefix, after, skip, pageSize, context.RequestAborted);
                if (handles.Count > 0)
                    cursors.Remember(prefix, pageSize, page, handles[^1].Key);
            }

            var body = HandleJsonWriter.SuccessObject(w =>
            {
                w.WriteString("prefix"u8, prefixParam);
                w.WriteString("totalCount"u8, total.ToString(CultureInfo.InvariantCulture));
                w.WriteNumber("page"u8, page);
                w.WriteNumber("pageSize"u8, pageSize);
                if (pageSize > 0)
                {
                    w.WriteStartArray("handles"u8);
                    foreach (var h in handles)
                        w.WriteStringValue(h.Handle);
                    w.WriteEndArray();
                }
            });
            await HandleResponses.WriteAsync(context, StatusCodes.Status200OK, body, query);
        }
        catch (Exception e) when (StoreErrors.AsHandleError(e) is { } error)
        {
            await HandleResponses.ErrorAsync(context, error, null, query);
        }
    }

    private static int IntParam(IQueryCollection q, string name, int fallback, int min, int max)
    {
        var text = q[name].ToString();
        if (text.Length == 0)
            return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new HandleException(ResponseCode.ProtocolError, $"Invalid '{name}': an integer from {min} to {max}");
        return n;
    }

    private static Task SiteAsync(HttpContext context, NodeSettings node, IOptions<NodeOptions> options)
    {
        HandleQuery? query = null;
        try
        {
            query = HandleQuery.Parse(context.Request.Query);
        }
        catch (HandleException e)
        {
            return HandleResponses.ErrorAsync(context, e, null, null);
        }
        var host = context.Request.Host;
        var port = host.Port ?? context.Connection.LocalPort;
        var address = context.Connection.LocalIpAddress?.ToString() ?? host.Host;
        var body = HandleJsonWriter.SuccessObject(w =>
        {
            w.WriteStartObject("site"u8);
            w.WriteNumber("version"u8, 1);
            w.WriteString("protocolVersion"u8, "2.10");
            w.WriteNumber("serialNumber"u8, 1);
            w.WriteBoolean("primarySite"u8, true);
            w.WriteBoolean("multiPrimary"u8, false);
            w.WriteString("prefix"u8, node.Prefix);
            w.WriteStartArray("attributes"u8);
            w.WriteStartObject();
            w.WriteString("name"u8, "desc");
            w.WriteString("value"u8, options.Value.Description);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("servers"u8);
            w.WriteStartObject();
            w.WriteNumber("serverId"u8, 1);
            w.WriteString("address"u8, address);
            w.WriteStartArray("interfaces"u8);
            w.WriteStartObject();
            w.WriteString("type"u8, "query/admin");
            w.WriteString("protocol"u8, "HTTP");
            w.WriteNumber("port"u8, port);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return HandleResponses.WriteAsync(context, StatusCodes.Status200OK, body, query);
    }

    private static async Task PrefixesAsync(HttpContext context, NodeSettings node, IRecordStore store)
    {
        HandleQuery? query = null;
        try
        {
            query = HandleQuery.Parse(context.Request.Query);
            var prefixes = new SortedSet<string>(StringComparer.Ordinal) { node.Prefix };
            foreach (var p in await store.ListPrefixesAsync(context.RequestAborted))
                if (node.IsAuthoritativeFor(p))
                    prefixes.Add(p);
            var body = HandleJsonWriter.SuccessObject(w =>
            {
                w.WriteStartArray("prefixes"u8);
                foreach (var p in prefixes)
                    w.WriteStringValue(p);
                w.WriteEndArray();
            });
            await HandleResponses.WriteAsync(context, StatusCodes.Status200OK, body, query);
        }
        catch (Exception e) when (StoreErrors.AsHandleError(e) is { } error)
        {
            await HandleResponses.ErrorAsync(context, error, null, query);
        }
    }
}
