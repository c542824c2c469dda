using Grpc.Core;
using Grpc.Core.Interceptors;
using IdNode.Core.Handles;

namespace IdNode.Server.Grpc;

/// <summary>
/// Services throw the domain's HandleException; this turns it into the gRPC status of <see cref="GrpcStatusMap"/>, for every kind of call.
/// Registered per service in <see cref="GrpcEndpoints"/>; <see cref="ResolverService"/> maps its own errors.
/// </summary>
public sealed class GrpcErrorInterceptor : Interceptor
{
    /// <summary>
    /// Not async: a call that completes synchronously (the cached Resolve) passes through without a
    /// state machine of its own; only a pending or failed call takes <see cref="AwaitUnary"/>.
    /// </summary>
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Task<TResponse> pending;
        try
        {
            pending = continuation(request, context);
        }
        catch (HandleException e)
        {
            throw GrpcStatusMap.ToRpcException(e);
        }
        return pending.IsCompletedSuccessfully ? pending : AwaitUnary(pending);
    }

    private static async Task<TResponse> AwaitUnary<TResponse>(Task<TResponse> pending)
    {
        try
        {
            return await pending;
        }
        catch (HandleException e)
        {
            throw GrpcStatusMap.ToRpcException(e);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (HandleException e)
        {
            throw GrpcStatusMap.ToRpcException(e);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (HandleException e)
        {
            throw GrpcStatusMap.ToRpcException(e);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (HandleException e)
        {
            throw GrpcStatusMap.ToRpcException(e);
        }
    }
}
