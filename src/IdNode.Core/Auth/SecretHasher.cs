using System.Security.Cryptography;
using System.Text;

namespace IdNode.Core.Auth;

/// <summary>
/// Salted slow hashes for secrets (PBKDF2-HMAC-SHA256). A stored secret is only ever this
/// string: <c>$pbkdf2-sha256$iterations$salt$hash</c> (base64). Comparison is constant-time.
/// </summary>
public static class SecretHasher
{
    public const string Marker = "$pbkdf2-sha256$";

    /// <summary>OWASP's 2023 floor for PBKDF2-SHA256 is 600k; we cache successful checks (see CredentialVerifier) so the cost is paid once per credential, not per request.</summary>
    public const int DefaultIterations = 210_000;

    public static bool IsHash(string? value) => value is not null && value.StartsWith(Marker, StringComparison.Ordinal);

    public static string Hash(string secret, int iterations = DefaultIterations)
    {
        Span<byte> salt = stackalloc byte[16];
        RandomNumberGenerator.Fill(salt);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, 32);
        return $"{Marker}{iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool Verify(string secret, string stored)
    {
        if (!IsHash(stored))
            return false;
        var parts = stored[Marker.Length..].Split('$');
        if (parts.Length != 3 || !int.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var iterations) || iterations is < 1 or > 10_000_000)
            return false;
        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[1]);
            expected = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>A random secret for the bootstrap admin: 24 bytes, URL-safe base64.</summary>
    public static string NewSecret()
        => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
}
