namespace IdNode.Core.Registry;

/// <summary>
/// An enterprise and its application. <see cref="State"/> is the state of its prefix (an applicant
/// is <see cref="PrefixState.AwaitingReview"/>); <see cref="Prefix"/> is set once approved.
/// </summary>
public sealed record Enterprise
{
    public long Id { get; init; }
    public required string Name { get; init; }
    public required string CreditCode { get; init; }
    public required string Contact { get; init; }
    public required string Industry { get; init; }
    public required string Town { get; init; }
    public required string Cluster { get; init; }
    public long? RequestedNumber { get; init; }
    public PrefixState State { get; init; } = PrefixState.AwaitingReview;
    public HostingState Hosting { get; init; } = HostingState.Hosted;
    public string? Prefix { get; init; }

    /// <summary>The enterprise's own node (normalised base URL, see <see cref="EnterpriseSite"/>); used while <see cref="Hosting"/> is not hosted.</summary>
    public string? Site { get; init; }
    public string? Reason { get; init; }
    public string? AdminUsername { get; init; }
    public long AppliedAt { get; init; }
    public long? DecidedAt { get; init; }
}
