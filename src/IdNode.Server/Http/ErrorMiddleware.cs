using IdNode.Core.Handles;
using IdNode.Core.Ports;
using IdNode.Server.Hosting;

namespace IdNode.Server.Http;

/// <summary>Last line of defence: whatever escapes an endpoint becomes a Handle error body, and the process keeps serving.</summary>
public sealed class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted)
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
}
