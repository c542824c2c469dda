namespace IdNode.Server.Http;

/// <summary>
/// CORS as Handle.Net does it: any origin may read, the origin is echoed (so credentials work),
/// preflights are answered here. Costs nothing for requests without an Origin header.
/// </summary>
public sealed class CorsMiddleware(RequestDelegate next)
{
    private const string Methods = "GET, HEAD, PUT, DELETE, OPTIONS";

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var origin = request.Headers.Origin;
        if (origin.Count == 0)
        {
            if (HttpMethods.IsOptions(request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                context.Response.Headers.Allow = Methods;
                return Task.CompletedTask;
            }
            return next(context);
        }

        var headers = context.Response.Headers;
        headers.AccessControlAllowOrigin = origin;
        headers.AccessControlAllowCredentials = "true";
        headers.AccessControlExposeHeaders = "Location, WWW-Authenticate, Content-Length";
        headers.Vary = "Origin";
        if (HttpMethods.IsOptions(request.Method))
        {
            headers.AccessControlAllowMethods = Methods;
            var requested = request.Headers.AccessControlRequestHeaders;
            headers.AccessControlAllowHeaders = requested.Count > 0 ? requested : "Authorization, Content-Type";
            headers.AccessControlMaxAge = "86400";
            headers.Allow = Methods;
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        }
        return next(context);
    }
}
