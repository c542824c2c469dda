using Grpc.Core;
using IdNode.Core.Handles;
using IdNode.Server.Grpc;

namespace IdNode.Server.Tests.Grpc;

public sealed class GrpcStatusMapTests
{
    [Theory]
    [InlineData(ResponseCode.Success, StatusCode.OK)]
    [InlineData(ResponseCode.Error, StatusCode.Internal)]
    [InlineData(ResponseCode.ServerTooBusy, StatusCode.Unavailable)]
    [InlineData(ResponseCode.ServerBackup, StatusCode.Unavailable)]
    [InlineData(ResponseCode.ProtocolError, StatusCode.InvalidArgument)]
    [InlineData(ResponseCode.OperationNotSupported, StatusCode.Unimplemented)]
    [InlineData(ResponseCode.HandleNotFound, StatusCode.NotFound)]
    [InlineData(ResponseCode.ValuesNotFound, StatusCode.NotFound)]
    [InlineData(ResponseCode.HandleAlreadyExists, StatusCode.AlreadyExists)]
    [InlineData(ResponseCode.ValueAlreadyExists, StatusCode.AlreadyExists)]
    [InlineData(ResponseCode.InvalidHandle, StatusCode.InvalidArgument)]
    [InlineData(ResponseCode.InvalidValue, StatusCode.InvalidArgument)]
    [InlineData(ResponseCode.ServerNotResponsible, StatusCode.FailedPrecondition)]
    [InlineData(ResponseCode.ServiceReferral, StatusCode.FailedPrecondition)]
    [InlineData(ResponseCode.PrefixReferral, StatusCode.FailedPrecondition)]
    [InlineData(ResponseCode.InvalidAdmin, StatusCode.PermissionDenied)]
    [InlineData(ResponseCode.InsufficientPermissions, StatusCode.PermissionDenied)]
    [InlineData(ResponseCode.AuthenticationNeeded, StatusCode.Unauthenticated)]
    [InlineData(ResponseCode.AuthenticationFailed, StatusCode.Unauthenticated)]
    [InlineData(ResponseCode.InvalidCredential, StatusCode.Unauthenticated)]
    public void Every_response_code_has_one_status(ResponseCode code, StatusCode expected)
        => Assert.Equal(expected, GrpcStatusMap.For(code));

    [Fact]
    public void Every_response_code_is_in_the_table()
        => Assert.All(Enum.GetValues<ResponseCode>().Where(c => c != ResponseCode.Error), c => Assert.NotEqual(StatusCode.Internal, GrpcStatusMap.For(c)));

    [Fact]
    public void The_exception_carries_the_message_and_the_handle_code()
    {
        var e = GrpcStatusMap.ToRpcException(new HandleException(ResponseCode.ServerTooBusy, "Too many concurrent writes to 88.999/x; retry"));
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Equal("Too many concurrent writes to 88.999/x; retry", e.Status.Detail);
        Assert.Equal("3", e.Trailers.GetValue(GrpcStatusMap.ResponseCodeTrailer));
    }
}
