using IdNode.Core.Handles;
using IdNode.Server.Http;

namespace IdNode.Server.Tests.Http;

public class StatusMappingTests
{
    [Theory]
    [InlineData(ResponseCode.Success, 200)]
    [InlineData(ResponseCode.Error, 500)]
    [InlineData(ResponseCode.ServerTooBusy, 503)]
    [InlineData(ResponseCode.ServerBackup, 503)]
    [InlineData(ResponseCode.ProtocolError, 400)]
    [InlineData(ResponseCode.OperationNotSupported, 501)]
    [InlineData(ResponseCode.HandleNotFound, 404)]
    [InlineData(ResponseCode.HandleAlreadyExists, 409)]
    [InlineData(ResponseCode.ValueAlreadyExists, 409)]
    [InlineData(ResponseCode.InvalidHandle, 400)]
    [InlineData(ResponseCode.InvalidValue, 400)]
    [InlineData(ResponseCode.ValuesNotFound, 400)]
    [InlineData(ResponseCode.ServerNotResponsible, 400)]
    [InlineData(ResponseCode.ServiceReferral, 300)]
    [InlineData(ResponseCode.PrefixReferral, 300)]
    [InlineData(ResponseCode.AuthenticationNeeded, 401)]
    [InlineData(ResponseCode.InvalidAdmin, 403)]
    [InlineData(ResponseCode.InsufficientPermissions, 403)]
    [InlineData(ResponseCode.AuthenticationFailed, 403)]
    [InlineData(ResponseCode.InvalidCredential, 403)]
    public void Every_response_code_maps_to_the_documented_status(ResponseCode code, int status)
        => Assert.Equal(status, HandleStatus.For(code));

    [Fact]
    public void Values_not_found_is_200_on_resolve_only()
    {
        Assert.Equal(200, HandleStatus.For(ResponseCode.ValuesNotFound, isResolve: true));
        Assert.Equal(400, HandleStatus.For(ResponseCode.ValuesNotFound, isResolve: false));
    }
}
