using System.Net;
using System.Text;

namespace IdNode.Server.Tests.Enterprise;

/// <summary>An NDJSON upload generated while it is sent, so the client never holds the whole file.</summary>
public sealed class NdjsonContent(string prefix, long count, Func<long, string>? line = null) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var buffer = new StringBuilder(64 * 1024);
        for (long i = 0; i < count; i++)
        {
            buffer.Append(line?.Invoke(i) ?? $$"""{"handle":"{{prefix}}/IMP-{{i:D8}}","values":[{"index":1,"type":"URL","data":"https://e.cn/{{i}}"},{"index":2001,"type":"batch","data":"B{{i % 97}}"}]}""");
            buffer.Append('\n');
            if (buffer.Length > 60 * 1024)
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(buffer.ToString()));
                buffer.Clear();
            }
        }
        await stream.WriteAsync(Encoding.UTF8.GetBytes(buffer.ToString()));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
