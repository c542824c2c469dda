namespace IdNode.Core.Registry;

/// <summary>Enterprise prefix states, numbered as the SNMS API numbers them (PROTOCOLS.md §2).</summary>
public enum PrefixState
{
    Stopped = 0,
    Active = 1,
    PendingDelete = 2,
    Rejected = 3,
    AwaitingReview = 4,
    UnderReview = 5,
}
