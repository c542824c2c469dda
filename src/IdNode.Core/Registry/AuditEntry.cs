namespace IdNode.Core.Registry;

/// <summary>
/// One audited action. <see cref="Outcome"/> is <c>ok</c>, <c>denied</c> or <c>failed</c>;
/// <see cref="Target"/> is the identifier, user name or enterprise id acted on.
/// </summary>
public sealed record AuditEntry(long Sequence, long At, string Actor, string Action, string? Target, string? Prefix, long? EnterpriseId, string Outcome, string? Detail)
{
    public const string Ok = "ok";
    public const string Denied = "denied";
    public const string Failed = "failed";
}
