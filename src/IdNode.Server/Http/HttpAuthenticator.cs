using IdNode.Core.Auth;

namespace IdNode.Server.Http;

/// <summary>Turns an <c>Authorization</c> header into a principal: a Bearer token (<see cref="TokenService"/>) or Handle-style Basic (<see cref="BasicCredentials"/>).</summary>
public sealed class HttpAuthenticator
{
    private readonly Func<string?, string?, CancellationToken, ValueTask<Principal?>> _authenticate;

    public HttpAuthenticator(TokenService tokens) => _authenticate = tokens.AuthenticateAsync;

    /// <summary>Basic only, for hosts without the registry (the in-process benchmarks): no login throttle.</summary>
    public HttpAuthenticator(CredentialVerifier verifier) => _authenticate = (authorization, _, ct) => verifier.AuthenticateAsync(authorization, ct);

    /// <summary>Null when the request carries no credential; throws a HandleException when it carries a bad one.</summary>
    public ValueTask<Principal?> AuthenticateAsync(HttpContext context)
        => _authenticate(context.Request.Headers.Authorization.ToString(), ClientAddress.Of(context), context.RequestAborted);

    public static bool TryParseBasic(ReadOnlySpan<char> base64, out HandleIdentity identity, out string secret)
        => BasicCredentials.TryParse(base64, out identity, out secret);
}
