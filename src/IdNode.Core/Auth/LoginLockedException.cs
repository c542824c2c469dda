using IdNode.Core.Handles;

namespace IdNode.Core.Auth;

/// <summary>
/// A login refused because its principal or its source address failed too often (rc 403,
/// authentication failed). The edges answer it as "too many requests" with <see cref="RetryAfter"/>:
/// HTTP 429 + <c>Retry-After</c>, gRPC RESOURCE_EXHAUSTED.
/// </summary>
public sealed class LoginLockedException : HandleException
{
    public TimeSpan RetryAfter { get; }

    public LoginLockedException(string message, TimeSpan retryAfter) : base(ResponseCode.AuthenticationFailed, message) => RetryAfter = retryAfter;
}
