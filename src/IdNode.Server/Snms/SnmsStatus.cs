using IdNode.Core.Handles;

namespace IdNode.Server.Snms;

/// <summary>
/// The SNMS envelope's status codes and the HTTP status sent with each. SNMS clients read the
/// envelope, so business errors travel as HTTP 200; "not logged in" is 401 and "no permission" 403
/// so proxies and generic HTTP clients see them too; internal errors are 500 (503 while the store
/// is unavailable, so clients retry).
/// </summary>
public static class SnmsStatus
{
    public const int Ok = 1;
    public const int NotLoggedIn = -1;
    public const int Business = -2;
    public const int NoPermission = -3;
    public const int Internal = -4;

    /// <summary>The envelope status for a Handle response code.</summary>
    public static int FromResponseCode(ResponseCode rc) => rc switch
    {
        ResponseCode.Success => Ok,
        ResponseCode.AuthenticationNeeded or ResponseCode.AuthenticationFailed or ResponseCode.InvalidCredential => NotLoggedIn,
        ResponseCode.InsufficientPermissions or ResponseCode.InvalidAdmin or ResponseCode.ServerNotResponsible => NoPermission,
        ResponseCode.Error or ResponseCode.ServerTooBusy or ResponseCode.ServerBackup => Internal,
        _ => Business,
    };

    public static int HttpStatus(int status, ResponseCode rc = ResponseCode.Success) => status switch
    {
        NotLoggedIn => StatusCodes.Status401Unauthorized,
        NoPermission => StatusCodes.Status403Forbidden,
        Internal => rc is ResponseCode.ServerTooBusy or ResponseCode.ServerBackup ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError,
        _ => StatusCodes.Status200OK,
    };
}
