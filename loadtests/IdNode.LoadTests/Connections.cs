using System.Net;
using System.Text;

namespace IdNode.LoadTests;

/// <summary>What every client of the generator (HttpClient and gRPC alike) connects and logs in with.</summary>
internal static class Connections
{
    /// <summary>A pooled handler that keeps its connections for the whole run: no cookies, proxy, redirects or decompression.</summary>
    public static SocketsHttpHandler Handler() => new()
    {
        UseCookies = false,
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    };

    /// <summary>The Basic credential of the node admin: Handle-style user name index:handle, the colon encoded.</summary>
    public static string AdminBasic(string prefix, string secret)
        => Convert.ToBase64String(Encoding.UTF8.GetBytes("300%3A" + prefix + "/ADMIN:" + secret));
}
