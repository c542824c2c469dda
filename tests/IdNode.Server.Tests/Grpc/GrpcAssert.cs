using Grpc.Core;

namespace IdNode.Server.Tests.Grpc;

internal static class GrpcAssert
{
    /// <summary>Asserts the call fails with <paramref name="status"/> (and the Handle rc in the trailer when given); returns the exception.</summary>
    public static async Task<RpcException> FailsWith(StatusCode status, Func<Task> call, int? responseCode = null)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(status, e.StatusCode);
        if (responseCode is { } rc)
            Assert.Equal(rc.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Trailers.GetValue("idnode-rc"));
        return e;
    }
}
