using Grpc.Core;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Records;
using IdNode.Grpc.V1;

namespace IdNode.Server.Grpc;

public sealed partial class RegistryService
{
    public const int DefaultListPageSize = 1000;
    public const int MaxListPageSize = 10_000;

    /// <summary>
    /// Pages of live identifiers in key order. Each page is a seek after the previous page's last
    /// key (the cursor), so listing millions costs O(page) per page and resumes exactly where a
    /// broken stream stopped.
    /// </summary>
    public override async Task List(ListRequest request, IServerStreamWriter<ListResponse> responseStream, ServerCallContext context)
    {
        var prefixText = request.Prefix;
        if (prefixText.StartsWith("0.NA/", StringComparison.OrdinalIgnoreCase))
            prefixText = prefixText[5..];
        if (!IdentifierParser.TryNormalizePrefix(prefixText, out var prefix, out var error))
            throw new HandleException(ResponseCode.InvalidHandle, $"prefix: {error.Message}");
        if (!node.IsAuthoritativeFor(prefix))
            throw new HandleException(ResponseCode.ServerNotResponsible, $"Server not responsible for prefix {request.Prefix}: this node serves {node.Prefix}");
        var pageSize = request.PageSize == 0 ? DefaultListPageSize : request.PageSize;
        if (pageSize is < 1 or > MaxListPageSize)
            throw new HandleException(ResponseCode.ProtocolError, $"page_size: from 1 to {MaxListPageSize} (0 = {DefaultListPageSize}), got {request.PageSize}");
        if (request.Limit < 0)
            throw new HandleException(ResponseCode.ProtocolError, $"limit: 0 (all) or more, got {request.Limit}");

        // Same policy as GET /api/handles?prefix=: listing is a read unless the node says otherwise.
        if (listOptions.Value.ListRequiresAuth)
        {
            var principal = await authenticator.RequireAsync(context);
            var probe = Identifier.Parse(prefix + "/x", node.Rules);
            if (!authorizer.CanWrite(principal, probe, null, AdminPermission.ListHandles))
                throw new HandleException(ResponseCode.InsufficientPermissions, $"Insufficient permissions to list {request.Prefix}");
        }

        var after = request.Cursor.Length == 0 ? null : request.Cursor;
        var remaining = request.Limit == 0 ? long.MaxValue : request.Limit;
        var ct = context.CancellationToken;
        while (remaining > 0)
        {
            var take = (int)Math.Min(pageSize, remaining);
            var page = await store.ListAsync(prefix, after, 0, take, ct);
            if (page.Count == 0)
                break;
            var response = new ListResponse { Cursor = page[^1].Key };
            foreach (var h in page)
                response.Handles.Add(h.Handle);
            await responseStream.WriteAsync(response, ct);
            after = page[^1].Key;
            remaining -= page.Count;
            if (page.Count < take)
                break;
        }
    }
}
