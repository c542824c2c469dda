using System.Buffers;
using System.Text;
using IdNode.Core.Handles;
using Microsoft.AspNetCore.Http.Features;

namespace IdNode.Server.Http;

/// <summary>
/// The identifier is taken from the raw request target, not from <c>Request.Path</c>: ASP.NET
/// leaves <c>%2F</c> encoded there, while the Handle API decodes the whole rest of the path
/// (keeping <c>+</c> as <c>+</c>).
/// </summary>
public static class RawPath
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>The raw path (before <c>?</c>) of the request.</summary>
    public static ReadOnlySpan<char> Of(HttpContext context, out string raw)
    {
        raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        if (raw.Length == 0 || raw[0] != '/')
        {
            // Absolute-form or missing target: fall back to the (encoded) path.
            raw = context.Request.PathBase.ToUriComponent() + context.Request.Path.ToUriComponent();
        }
        var q = raw.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? raw : raw.AsSpan(0, q);
    }

    /// <summary>Percent-decodes as UTF-8; a bad escape or invalid UTF-8 is a protocol error naming the position.</summary>
    public static string Decode(ReadOnlySpan<char> encoded)
    {
        if (encoded.IndexOf('%') < 0)
            return new string(encoded);
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(encoded.Length));
        try
        {
            var n = 0;
            for (var i = 0; i < encoded.Length; i++)
            {
                var c = encoded[i];
                if (c == '%')
                {
                    if (i + 2 >= encoded.Length || !char.IsAsciiHexDigit(encoded[i + 1]) || !char.IsAsciiHexDigit(encoded[i + 2]))
                        throw new HandleException(ResponseCode.ProtocolError, $"Bad percent-escape in path at position {i}");
                    bytes[n++] = (byte)(HexValue(encoded[i + 1]) << 4 | HexValue(encoded[i + 2]));
                    i += 2;
                }
                else if (c < 0x80)
                {
                    bytes[n++] = (byte)c;
                }
                else
                {
                    n += Encoding.UTF8.GetBytes(encoded.Slice(i, char.IsHighSurrogate(c) && i + 1 < encoded.Length ? 2 : 1), bytes.AsSpan(n));
                    if (char.IsHighSurrogate(c))
                        i++;
                }
            }
            try
            {
                return StrictUtf8.GetString(bytes, 0, n);
            }
            catch (DecoderFallbackException)
            {
                throw new HandleException(ResponseCode.ProtocolError, "Path is not valid UTF-8 after percent-decoding");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
