using Grpc.Core;
using IdNode.Core.Handles;
using IdNode.Grpc.V1;

namespace IdNode.Server.Grpc;

/// <summary>
/// The one place Handle response codes become gRPC statuses, for call-level errors and for the
/// per-item statuses of batch calls alike.
/// Authentication: rc 402 (none given), 403 (wrong secret) and 404 (unknown or malformed
/// credential) are UNAUTHENTICATED — the caller's identity is not established, which is what
/// gRPC clients retry with new credentials on; rc 400/401 (identity known, not allowed) are
/// PERMISSION_DENIED. HTTP folds 403/404 into 403 because Handle.Net does; gRPC has the finer status.
/// </summary>
public static class GrpcStatusMap
{
    /// <summary>Trailer carrying the Handle response code, so clients can tell e.g. rc 101 from rc 201.</summary>
    public const string ResponseCodeTrailer = "idnode-rc";

    /// <summary>Trailers of a referral (self-hosted prefix): the enterprise node's site and the URL resolving the handle there.</summary>
    public const string ReferralSiteTrailer = "idnode-referral-site";
    public const string ReferralLocationTrailer = "idnode-referral-location";

    /// <summary>Trailer of a locked login: seconds until it may be tried again.</summary>
    public const string RetryAfterTrailer = "retry-after";

    public static StatusCode For(ResponseCode code) => code switch
    {
        ResponseCode.Success => StatusCode.OK,
        ResponseCode.HandleNotFound or ResponseCode.ValuesNotFound => StatusCode.NotFound,
        ResponseCode.InvalidHandle or ResponseCode.InvalidValue or ResponseCode.ProtocolError => StatusCode.InvalidArgument,
        ResponseCode.HandleAlreadyExists or ResponseCode.ValueAlreadyExists => StatusCode.AlreadyExists,
        ResponseCode.InvalidAdmin or ResponseCode.InsufficientPermissions => StatusCode.PermissionDenied,
        ResponseCode.AuthenticationNeeded or ResponseCode.AuthenticationFailed or ResponseCode.InvalidCredential => StatusCode.Unauthenticated,
        ResponseCode.ServerTooBusy or ResponseCode.ServerBackup => StatusCode.Unavailable,
        ResponseCode.ServerNotResponsible or ResponseCode.ServiceReferral or ResponseCode.PrefixReferral => StatusCode.FailedPrecondition,
        ResponseCode.OperationNotSupported => StatusCode.Unimplemented,
        _ => StatusCode.Internal,
    };

    public static RpcException ToRpcException(HandleException e)
    {
        var trailers = new Metadata { { ResponseCodeTrailer, ((int)e.Code).ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        if (e is ReferralException referral)
        {
            trailers.Add(ReferralSiteTrailer, referral.Site);
            trailers.Add(ReferralLocationTrailer, referral.Location);
        }
        var code = For(e.Code);
        if (e is Core.Auth.LoginLockedException locked)
        {
            // Locked after repeated failures: not "try other credentials" (UNAUTHENTICATED) but "wait".
            code = StatusCode.ResourceExhausted;
            trailers.Add(RetryAfterTrailer, ((long)Math.Ceiling(locked.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return new RpcException(new Status(code, e.Message), trailers, e.Message);
    }

    public static ItemStatus ToItemStatus(HandleException e)
        => new() { Code = (int)For(e.Code), ResponseCode = (int)e.Code, Message = e.Message };

    public static readonly ItemStatus Ok = new() { Code = (int)StatusCode.OK, ResponseCode = (int)ResponseCode.Success, Message = "" };
}
