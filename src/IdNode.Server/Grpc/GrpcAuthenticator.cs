using Grpc.Core;
using IdNode.Core.Auth;
using IdNode.Core.Handles;

namespace IdNode.Server.Grpc;

/// <summary>Credentials from the <c>authorization</c> call metadata (Bearer token or Basic), checked exactly as the HTTP header is.</summary>
public sealed class GrpcAuthenticator(TokenService tokens)
{
    /// <summary>Null for an anonymous call; throws a HandleException for a bad credential.</summary>
    public ValueTask<Principal?> AuthenticateAsync(ServerCallContext context)
        => tokens.AuthenticateAsync(context.RequestHeaders.GetValue("authorization"), Http.ClientAddress.Of(context.GetHttpContext()), context.CancellationToken);

    public async ValueTask<Principal> RequireAsync(ServerCallContext context)
        => await AuthenticateAsync(context).ConfigureAwait(false)
           ?? throw new HandleException(ResponseCode.AuthenticationNeeded, "Authentication needed: send metadata 'authorization: Bearer <token>' or 'Basic base64(index%3Ahandle:secret)'");
}
