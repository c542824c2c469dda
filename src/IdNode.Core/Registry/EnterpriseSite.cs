using System.Globalization;

namespace IdNode.Core.Registry;

/// <summary>
/// The node of a self-hosted enterprise, as referrals name it: an absolute http(s) base URL, or
/// <c>host:port</c> (taken as plain HTTP). Normalised to a base URL without a trailing slash, so
/// resolution URLs are <c>{site}/api/handles/{handle}</c> (Handle REST) and <c>{site}/{handle}</c>
/// (proxy form).
/// </summary>
public static class EnterpriseSite
{
    public const int MaxLength = 255;

    /// <summary>Null when <paramref name="input"/> is acceptable (<paramref name="site"/> is then the normalised base URL), else what is wrong.</summary>
    public static string? Normalize(string? input, out string site)
    {
        site = "";
        var text = input?.Trim();
        if (string.IsNullOrEmpty(text))
            return "site is required for a self-hosted prefix: the enterprise node's base URL (https://host[:port]) or host:port";
        if (text.Length > MaxLength)
            return $"site must be at most {MaxLength} characters (got {text.Length})";
        if (text.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            return "site must not contain spaces or control characters";

        if (!text.Contains("://", StringComparison.Ordinal))
        {
            // host:port (no scheme). Uri parses it when given a scheme; anything more than host and port is refused below.
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                return $"site '{text}' must be an absolute http(s) URL or host:port with a port from 1 to 65535";
            text = "http://" + text;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            return $"site '{input}' must be an absolute http or https URL (or host:port)";
        // Credentials in a referral would be handed to every client; a query or fragment would break the URLs built from it.
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            return $"site '{input}' must not carry user info, a query or a fragment";
        site = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return null;
    }

    /// <summary>The Handle REST URL resolving <paramref name="handle"/> at <paramref name="site"/>.</summary>
    public static string ResolutionUrl(string site, string handle) => site + "/api/handles/" + EscapePath(handle);

    /// <summary>The proxy-form URL (<c>GET /{handle}</c>) of <paramref name="handle"/> at <paramref name="site"/>.</summary>
    public static string ProxyUrl(string site, string handle) => site + "/" + EscapePath(handle);

    // Slashes stay path separators (Handle servers take the rest of the path as the handle); everything else is escaped.
    private static string EscapePath(string handle) => Uri.EscapeDataString(handle).Replace("%2F", "/", StringComparison.Ordinal);
}
