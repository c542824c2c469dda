using IdNode.Core.Handles;
using IdNode.Core.Ports;
using IdNode.Server.Hosting;

namespace IdNode.Server.Http;

/// <summary>Last line of defence: whatever escapes an endpoint becomes a Handle error body, and the process keeps serving.</summary>
public sealed class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> logger)
{
    /// <summary>
    /// Not async: a request that completes synchronously (the resolve hit path) passes through without
    /// an async state machine; only a pending or failed request takes the slower paths below.
    /// </summary>
    public Task InvokeAsync(HttpContext context)
    {
        Task pending;
        try
        {
            pending = next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            return HandleAsync(context, e);
        }
        return pending.IsCompletedSuccessfully ? pending : AwaitAsync(context, pending);
    }

    private async Task AwaitAsync(HttpContext context, Task pending)
    {
        try
        {
            await pending;
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            await HandleAsync(context, e);
        }
    }

    private async Task HandleAsync(HttpContext context, Exception e)
    {
        if (context.RequestAborted.IsCancellationRequested)
            return;
        context.Response.Clear();
        switch (e)
        {
            case HandleException he:
                await HandleResponses.ErrorAsync(context, he, null, null);
                break;
            case StoreUnavailableException unavailable:
                Log.StoreUnavailable(logger, context.Request.Method, context.Request.Path, unavailable.Message);
                await HandleResponses.ErrorAsync(context, StoreErrors.Busy(unavailable), null, null);
                break;
            case BadHttpRequestException bad:
                await HandleResponses.WriteAsync(context, bad.StatusCode,
                    Core.Json.HandleJsonWriter.Error(ResponseCode.ProtocolError, null, $"Bad request: {bad.Message}"), null);
                break;
            default:
                Log.UnhandledError(logger, context.Request.Method, context.Request.Path, e);
                await HandleResponses.ErrorAsync(context, ResponseCode.Error, null, "Internal server error");
                break;
        }
    }
}
