using IdNode.Core.Handles;

namespace IdNode.Server.Http;

/// <summary>The one place Handle response codes become HTTP statuses (PROTOCOLS.md §1 table).</summary>
public static class HandleStatus
{
    /// <summary>
    /// The status of a refusal: as its response code, except a login locked after repeated failures,
    /// which is 429 (with <c>Retry-After</c>) so clients back off instead of re-prompting for a password.
    /// </summary>
    public static int For(HandleException error, bool isResolve = false)
        => error is Core.Auth.LoginLockedException ? StatusCodes.Status429TooManyRequests : For(error.Code, isResolve);

    public static string RetryAfterSeconds(Core.Auth.LoginLockedException locked)
        => ((long)Math.Ceiling(locked.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static int For(ResponseCode code, bool isResolve = false) => code switch
    {
        ResponseCode.Success => StatusCodes.Status200OK,
        ResponseCode.Error => StatusCodes.Status500InternalServerError,
        ResponseCode.ServerTooBusy or ResponseCode.ServerBackup => StatusCodes.Status503ServiceUnavailable,
        ResponseCode.ProtocolError => StatusCodes.Status400BadRequest,
        ResponseCode.OperationNotSupported => StatusCodes.Status501NotImplemented,
        ResponseCode.HandleNotFound => StatusCodes.Status404NotFound,
        ResponseCode.HandleAlreadyExists or ResponseCode.ValueAlreadyExists => StatusCodes.Status409Conflict,
        ResponseCode.InvalidHandle or ResponseCode.InvalidValue => StatusCodes.Status400BadRequest,
        ResponseCode.ValuesNotFound => isResolve ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest,
        ResponseCode.ServerNotResponsible => StatusCodes.Status400BadRequest,
        ResponseCode.ServiceReferral or ResponseCode.PrefixReferral => StatusCodes.Status300MultipleChoices,
        ResponseCode.AuthenticationNeeded => StatusCodes.Status401Unauthorized,
        ResponseCode.InvalidAdmin or ResponseCode.InsufficientPermissions or ResponseCode.AuthenticationFailed or ResponseCode.InvalidCredential => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status500InternalServerError,
    };
}
