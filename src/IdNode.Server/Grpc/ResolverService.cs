using System.Runtime.CompilerServices;
using Grpc.Core;
using IdNode.Core.Auth;
using IdNode.Core.Caching;
using IdNode.Core.Handles;
using IdNode.Core.Node;
using IdNode.Core.Records;
using IdNode.Core.Services;
using IdNode.Grpc.V1;

namespace IdNode.Server.Grpc;

/// <summary>gRPC resolution over the same <see cref="Core.Services.Resolver"/> (L1 → store) and read rules as the REST API.</summary>
/// <remarks>
/// Bound by <see cref="BindService"/> rather than the generated binder alone, so Resolve's answer
/// can leave as bytes encoded once per cache entry (<see cref="PreEncodedMessages{TMessage}"/>).
/// Reflection still finds the contract through the generated base class. Errors are mapped here,
/// not by <see cref="GrpcErrorInterceptor"/>: any interceptor puts two async state machines into
/// every call, cached or not, so this service is registered without one.
/// </remarks>
[BindServiceMethod(typeof(ResolverService), nameof(BindService))]
public sealed class ResolverService(Core.Services.Resolver resolver, NodeSettings node, GrpcAuthenticator authenticator, WriteAuthorizer authorizer) : IdNode.Grpc.V1.Resolver.ResolverBase
{
    /// <summary>Batch resolution takes at most this many identifiers, like the batch writes.</summary>
    public const int MaxBatchItems = RecordService.MaxBatchItems;

    // The common answer (unfiltered, public values) converted and encoded once per cache entry: a
    // new version is a new entry, so a stale answer is never served, and it dies with its entry.
    // Kept as a completed task so a hit returns the same task every time instead of a new one.
    private static readonly ConditionalWeakTable<CacheEntry, Task<ResolveResponse>> PublicAnswers = new();

    /// <summary>The generated binding, with Resolve's response marshaller swapped for the pre-encoding one.</summary>
    /// <remarks>Takes the generated base type: Grpc.AspNetCore binds the overrides of that type's methods.</remarks>
    public static void BindService(ServiceBinderBase binder, IdNode.Grpc.V1.Resolver.ResolverBase? service)
        => IdNode.Grpc.V1.Resolver.BindService(new PreEncodedMessages<ResolveResponse>.Binder(binder, nameof(Resolve)), service!);

    public override Task<ResolveResponse> Resolve(ResolveRequest request, ServerCallContext context)
        => TryAnswerFromCache(request, context) ?? ResolveAsync(request, context);

    /// <summary>
    /// The hot path, like the HTTP one: an anonymous, unfiltered, non-authoritative call for a
    /// cached identifier normalises into a stack buffer, finds the entry without allocating a key
    /// and returns its shared answer. Null sends the call down the full path (which also produces
    /// every error).
    /// </summary>
    private Task<ResolveResponse>? TryAnswerFromCache(ResolveRequest request, ServerCallContext context)
    {
        if (request.Authoritative || request.FilterTypes.Count != 0 || request.FilterIndexes.Count != 0 || GrpcAuthenticator.HasCredential(context)
            || !resolver.TryGetCached(request.Handle, node.Rules, out var entry) || !entry.IsFound)
            return null;
        return PublicAnswer(entry);
    }

    private async Task<ResolveResponse> ResolveAsync(ResolveRequest request, ServerCallContext context)
    {
        try
        {
            var id = ProtoValues.ParseHandle(request.Handle, node);
            var principal = await authenticator.AuthenticateAsync(context);
            var entry = await resolver.ResolveAsync(id.Key, request.Authoritative, context.CancellationToken);
            return Project(id, entry, request.FilterTypes, request.FilterIndexes, request.PublicOnly, principal);
        }
        catch (HandleException e)
        {
            throw GrpcStatusMap.ToRpcException(e);
        }
    }

    private static Task<ResolveResponse> PublicAnswer(CacheEntry entry)
        => PublicAnswers.GetValue(entry, static e =>
            Task.FromResult(PreEncodedMessages<ResolveResponse>.Encode(ProtoValues.ToResponse(e.Record!, e.Record!.Values.Where(static v => v.IsPublicRead)))));

    public override async Task<BatchResolveResponse> BatchResolve(BatchResolveRequest request, ServerCallContext context)
    {
        try
        {
            return await BatchResolveCoreAsync(request, context);
        }
        catch (HandleException e)
        {
            throw GrpcStatusMap.ToRpcException(e);
        }
    }

    private async Task<BatchResolveResponse> BatchResolveCoreAsync(BatchResolveRequest request, ServerCallContext context)
    {
        if (request.Handles.Count > MaxBatchItems)
            throw new HandleException(ResponseCode.ProtocolError, $"handles: at most {MaxBatchItems} per call (got {request.Handles.Count})");
        var principal = await authenticator.AuthenticateAsync(context);
        var response = new BatchResolveResponse();
        for (var i = 0; i < request.Handles.Count; i++)
        {
            var handle = request.Handles[i];
            var result = new ResolveResult { Handle = handle };
            try
            {
                var id = ProtoValues.ParseHandle(handle, node, new FieldName("handles", i));
                var entry = await resolver.ResolveAsync(id.Key, request.Authoritative, context.CancellationToken);
                result.Record = Project(id, entry, request.FilterTypes, request.FilterIndexes, request.PublicOnly, principal);
                result.Status = GrpcStatusMap.Ok;
            }
            catch (HandleException e)
            {
                result.Status = GrpcStatusMap.ToItemStatus(e);
            }
            response.Results.Add(result);
        }
        return response;
    }

    private ResolveResponse Project(Core.Identifiers.Identifier id, CacheEntry entry, IReadOnlyList<string> types, IReadOnlyList<int> indexes, bool publicOnly, Principal? principal)
    {
        if (entry.Record is not { } record)
            throw new HandleException(ResponseCode.HandleNotFound, $"Handle not found: {id.Display}");

        // Anonymous callers only ever see public values; an authorised caller sees the rest unless public_only is asked.
        var includePrivate = principal is not null && !publicOnly && authorizer.CanReadPrivate(principal, id, record);
        var hasFilters = types.Count > 0 || indexes.Count > 0;
        if (!hasFilters && !includePrivate)
            return PublicAnswer(entry).Result;

        var matched = record.Values.Where(v => (includePrivate || v.IsPublicRead) && ValueFilter.Matches(v, types, indexes)).ToList();
        if (matched.Count == 0 && hasFilters)
            throw new HandleException(ResponseCode.ValuesNotFound, $"Values not found: no value of {id.Display} matches the type/index filters");
        return ProtoValues.ToResponse(record, matched);
    }
}
