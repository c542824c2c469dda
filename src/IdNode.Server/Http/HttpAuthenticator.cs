using System.Text;
using IdNode.Core.Auth;
using IdNode.Core.Handles;

namespace IdNode.Server.Http;

/// <summary>
/// Turns an <c>Authorization</c> header into a principal. Handle-style Basic: the user name is
/// <c>index:handle</c> with the colon URL-encoded (<c>300%3A88.999/ADMIN</c>); an unencoded
/// <c>300:88.999/ADMIN:secret</c> is accepted too when the handle has no colon.
/// </summary>
public sealed class HttpAuthenticator(CredentialVerifier verifier)
{
    /// <summary>Null when the request carries no credential; throws a HandleException when it carries a bad one.</summary>
    public async ValueTask<Principal?> AuthenticateAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length == 0)
            return null;
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            throw new HandleException(ResponseCode.AuthenticationNeeded, "Unsupported authorization scheme: use Basic with index%3Ahandle:secret");

        if (!TryParseBasic(header.AsSpan(6).Trim(), out var identity, out var secret))
            throw new HandleException(ResponseCode.InvalidCredential, "Invalid credential: Basic user name must be index:handle (colon encoded as %3A)");
        return await verifier.VerifyAsync(identity, secret, context.RequestAborted).ConfigureAwait(false);
    }

    public static bool TryParseBasic(ReadOnlySpan<char> base64, out HandleIdentity identity, out string secret)
    {
        identity = null!;
        secret = "";
        var bytes = new byte[base64.Length];
        if (!Convert.TryFromBase64Chars(base64, bytes, out var n))
            return false;
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, true).GetString(bytes, 0, n);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
            return false;
        var user = decoded[..colon];
        if (user.All(char.IsAsciiDigit))
        {
            // Unencoded form: index:handle:secret.
            var second = decoded.IndexOf(':', colon + 1);
            if (second < 0)
                return false;
            user = decoded[..second];
            colon = second;
        }
        secret = decoded[(colon + 1)..];
        return HandleIdentity.TryParse(user, out identity);
    }
}
