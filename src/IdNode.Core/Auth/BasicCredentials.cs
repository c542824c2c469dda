using System.Text;
using IdNode.Core.Handles;

namespace IdNode.Core.Auth;

/// <summary>
/// Handle-style Basic credentials, shared by every surface that carries an <c>Authorization</c>
/// value (HTTP header, gRPC metadata). The user name is <c>index:handle</c> with the colon
/// URL-encoded (<c>300%3A88.999/ADMIN</c>); an unencoded <c>300:88.999/ADMIN:secret</c> is
/// accepted too when the handle has no colon.
/// </summary>
public static class BasicCredentials
{
    /// <summary>
    /// Null when <paramref name="authorization"/> is empty (anonymous); throws a HandleException
    /// (rc 402 unsupported scheme, rc 404 malformed) when it carries something unusable.
    /// </summary>
    public static (HandleIdentity Identity, string Secret)? ParseAuthorization(string? authorization)
    {
        if (string.IsNullOrEmpty(authorization))
            return null;
        if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            throw new HandleException(ResponseCode.AuthenticationNeeded, "Unsupported authorization scheme: use Basic with index%3Ahandle:secret");
        if (!TryParse(authorization.AsSpan(6).Trim(), out var identity, out var secret))
            throw new HandleException(ResponseCode.InvalidCredential, "Invalid credential: Basic user name must be index:handle (colon encoded as %3A)");
        return (identity, secret);
    }

    /// <summary>Decodes the base64 part of a Basic credential. Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<char> base64, out HandleIdentity identity, out string secret)
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
