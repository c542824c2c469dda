namespace IdNode.Core.Registry;

/// <summary>Filters for the audit log; null means any. Newest first, at most <see cref="Limit"/> rows.</summary>
public sealed record AuditQuery(string? Actor = null, string? Target = null, string? Prefix = null, long? EnterpriseId = null, string? Outcome = null,
    long? Since = null, long? BeforeSequence = null, int Limit = 100);
