using System.Net;

namespace IdNode.Server.Http;

public static class ClientAddress
{
    /// <summary>
    /// The peer's address as the login throttle counts it (null when unknown, e.g. in-memory test
    /// hosts). IPv4-mapped IPv6 is folded to IPv4 so one client is one key on dual-stack sockets.
    /// </summary>
    public static string? Of(HttpContext? context)
        => context?.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : null;
}
