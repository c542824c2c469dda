namespace IdNode.Core.Registry;

/// <summary>Consecutive failed logins of one user name and, once too many, when it may try again (unix seconds).</summary>
public sealed record LoginState(int Failures, long LockedUntil)
{
    public static readonly LoginState Clean = new(0, 0);
}
