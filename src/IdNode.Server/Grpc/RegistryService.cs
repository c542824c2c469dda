using Grpc.Core;
using IdNode.Core.Auth;
using IdNode.Core.Handles;
using IdNode.Core.Node;
using IdNode.Core.Ports;
using IdNode.Core.Services;
using IdNode.Grpc.V1;
using IdNode.Server.Options;
using Microsoft.Extensions.Options;

namespace IdNode.Server.Grpc;

/// <summary>gRPC writes. Every rule (authorisation, validation, idempotence, CAS retries) is <see cref="RecordService"/>'s; this only maps messages.</summary>
public sealed partial class RegistryService(RecordService records, NodeSettings node, GrpcAuthenticator authenticator, IRecordStore store,
    WriteAuthorizer authorizer, IOptions<HttpApiOptions> listOptions) : Registry.RegistryBase
{
    public override async Task<WriteResponse> Create(CreateRequest request, ServerCallContext context)
    {
        var id = ProtoValues.ParseHandle(request.Handle, node);
        var principal = await authenticator.RequireAsync(context);
        var values = ProtoValues.ToDomain(request.Values);
        var result = await records.PutAsync(id, values, new PutOptions(Overwrite: request.Overwrite), principal, cancellationToken: context.CancellationToken);
        return ToResponse(result);
    }

    public override async Task<WriteResponse> Update(UpdateRequest request, ServerCallContext context)
    {
        var id = ProtoValues.ParseHandle(request.Handle, node);
        var principal = await authenticator.RequireAsync(context);
        var values = ProtoValues.ToDomain(request.Values);
        var result = await records.PutAsync(id, values, new PutOptions(Overwrite: true, Various: true), principal, cancellationToken: context.CancellationToken);
        return ToResponse(result);
    }

    public override async Task<DeleteResponse> Delete(DeleteRequest request, ServerCallContext context)
    {
        var id = ProtoValues.ParseHandle(request.Handle, node);
        var principal = await authenticator.RequireAsync(context);
        var version = await records.DeleteAsync(id, request.Indexes.Count > 0 ? request.Indexes : null, principal, context.CancellationToken);
        return new DeleteResponse { Handle = id.Display, Version = version };
    }

    public override async Task<BatchRegisterResponse> BatchRegister(BatchRegisterRequest request, ServerCallContext context)
    {
        if (request.Items.Count > RecordService.MaxBatchItems)
            throw new HandleException(ResponseCode.ProtocolError, $"items: at most {RecordService.MaxBatchItems} per call (got {request.Items.Count}); split the batch or use Import");
        var principal = await authenticator.RequireAsync(context);
        return await RegisterAsync(records, node, request, principal, context.CancellationToken);
    }

    /// <summary>BatchRegister after authentication (also the body of the batch microbenchmark).</summary>
    internal static async Task<BatchRegisterResponse> RegisterAsync(RecordService records, NodeSettings node, BatchRegisterRequest request, Principal principal,
        CancellationToken cancellationToken)
    {
        var results = new RegisterResult[request.Items.Count];
        var batch = new Batch(request.Items.Count);
        for (var i = 0; i < request.Items.Count; i++)
            batch.Add(request.Items[i], i, i, node, results);
        var outcomes = await records.BatchPutAsync(batch.Items, request.Overwrite, principal, cancellationToken).ConfigureAwait(false);
        batch.Complete(outcomes, results);
        var response = new BatchRegisterResponse();
        response.Results.Add(results);
        return response;
    }

    private static WriteResponse ToResponse(PutResult r)
        => new() { Handle = r.Handle, Version = r.Version, Created = r.Created, Changed = r.Changed };

    private static RegisterResult Failed(string handle, HandleException e)
        => new() { Handle = handle, Status = GrpcStatusMap.ToItemStatus(e) };

    /// <summary>
    /// The items of one batch that parsed, with their positions in the request: an item whose
    /// handle or values are malformed gets its result at once and never reaches the store.
    /// </summary>
    private sealed class Batch(int capacity)
    {
        public List<BatchPutItem> Items { get; } = new(capacity);
        private readonly List<int> _positions = new(capacity);

        /// <param name="ordinal">The item's place in the call, for error messages (an import spans many chunks).</param>
        public void Add(RegisterItem item, int position, long ordinal, NodeSettings node, RegisterResult[] results)
        {
            try
            {
                var id = ProtoValues.ParseHandle(item.Handle, node, new FieldName("items", ordinal, "handle"));
                Items.Add(new BatchPutItem(id, ProtoValues.ToDomain(item.Values, new FieldName("items", ordinal, "values"))));
                _positions.Add(position);
            }
            catch (HandleException e)
            {
                results[position] = Failed(item.Handle, e);
            }
        }

        public void Clear()
        {
            Items.Clear();
            _positions.Clear();
        }

        public void Complete(IReadOnlyList<BatchPutOutcome> outcomes, RegisterResult[] results)
        {
            for (var j = 0; j < outcomes.Count; j++)
            {
                var o = outcomes[j];
                results[_positions[j]] = o.Error is { } e
                    ? Failed(Items[j].Id.Display, e)
                    : new RegisterResult { Handle = o.Result.Handle, Status = GrpcStatusMap.Ok, Version = o.Result.Version, Created = o.Result.Created, Changed = o.Result.Changed };
            }
        }
    }
}
