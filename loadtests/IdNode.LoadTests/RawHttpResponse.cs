namespace IdNode.LoadTests;

/// <summary>
/// The little HTTP/1.1 response parsing the raw client needs: where the response ends (headers,
/// then exactly Content-Length body bytes) and its status. No chunked encoding: the node and the
/// baseline always send Content-Length for a resolve, and a response without it is an error.
/// </summary>
public static class RawHttpResponse
{
    /// <summary>More bytes are needed.</summary>
    public const int Incomplete = 0;

    /// <summary>Not a response this client understands (no status line, no Content-Length, chunked).</summary>
    public const int Malformed = -1;

    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    /// <summary>
    /// The total length of the first response in <paramref name="data"/> (status line, headers,
    /// body), <see cref="Incomplete"/>, or <see cref="Malformed"/>. Does not allocate.
    /// </summary>
    public static int TryParse(ReadOnlySpan<byte> data, out int status)
    {
        status = 0;
        var end = data.IndexOf(HeaderEnd);
        if (end < 0)
            return data.Length > 64 * 1024 ? Malformed : Incomplete;
        var head = data[..end];
        // "HTTP/1.1 200 OK"
        if (head.Length < 12 || !head.StartsWith("HTTP/1."u8) || head[8] != (byte)' ')
            return Malformed;
        for (var i = 9; i < 12; i++)
        {
            var d = head[i] - '0';
            if ((uint)d > 9)
                return Malformed;
            status = status * 10 + d;
        }
        var contentLength = -1;
        var rest = head;
        while (true)
        {
            var nl = rest.IndexOf("\r\n"u8);
            if (nl < 0)
                break;
            rest = rest[(nl + 2)..];
            var line = rest;
            var lineEnd = line.IndexOf("\r\n"u8);
            if (lineEnd >= 0)
                line = line[..lineEnd];
            var colon = line.IndexOf((byte)':');
            if (colon < 0)
                continue;
            var name = line[..colon];
            if (EqualsIgnoreCase(name, "content-length"u8))
            {
                if (!TryParseDecimal(line[(colon + 1)..], out contentLength))
                    return Malformed;
            }
            else if (EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                return Malformed;
            }
        }
        if (contentLength < 0)
            return Malformed;
        var total = end + HeaderEnd.Length + contentLength;
        return data.Length >= total ? total : Incomplete;
    }

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> lowerAscii)
    {
        if (a.Length != lowerAscii.Length)
            return false;
        for (var i = 0; i < a.Length; i++)
        {
            var c = a[i];
            if (c is >= (byte)'A' and <= (byte)'Z')
                c = (byte)(c | 0x20);
            if (c != lowerAscii[i])
                return false;
        }
        return true;
    }

    private static bool TryParseDecimal(ReadOnlySpan<byte> value, out int result)
    {
        result = 0;
        value = value.Trim((byte)' ');
        if (value.IsEmpty || value.Length > 9)
            return false;
        foreach (var c in value)
        {
            var d = c - '0';
            if ((uint)d > 9)
                return false;
            result = result * 10 + d;
        }
        return true;
    }
}
