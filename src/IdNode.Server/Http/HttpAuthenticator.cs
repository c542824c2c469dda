using IdNode.Core.Auth;

namespace IdNode.Server.Http;

/// <summary>Turns an <c>Authorization</c> header into a principal (Handle-style Basic, see <see cref="BasicCredentials"/>).</summary>
public sealed class HttpAuthenticator(CredentialVerifier verifier)
{
    /// <summary>Null when the request carries no credential; throws a HandleException when it carries a bad one.</summary>
    public ValueTask<Principal?> AuthenticateAsync(HttpContext context)
        => verifier.AuthenticateAsync(context.Request.Headers.Authorization.ToString(), context.RequestAborted);

    public static bool TryParseBasic(ReadOnlySpan<char> base64, out HandleIdentity identity, out string secret)
        => BasicCredentials.TryParse(base64, out identity, out secret);
}
