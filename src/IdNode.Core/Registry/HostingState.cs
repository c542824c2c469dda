namespace IdNode.Core.Registry;

/// <summary>Whether the node hosts the enterprise prefix, numbered as the SNMS API numbers them.</summary>
public enum HostingState
{
    NotHosted = 1,
    Applying = 2,
    Rejected = 3,
    Hosted = 4,
}
