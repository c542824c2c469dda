namespace IdNode.Core.Registry;

/// <summary>What a principal may do. Stored as its name, so the numbers may change freely.</summary>
public enum PrincipalRole
{
    /// <summary>A Handle identity authenticated by an HS_SECKEY value (Basic): the Handle rules apply.</summary>
    HandleIdentity = 0,
    /// <summary>Everything, everywhere under the node prefix.</summary>
    NodeAdmin = 1,
    /// <summary>Writes under its enterprise's prefixes and manages that enterprise's writers and partners.</summary>
    EnterpriseAdmin = 2,
    /// <summary>Writes under its granted prefixes only.</summary>
    EnterpriseWriter = 3,
    /// <summary>Reads non-public values of its granted prefixes; never writes.</summary>
    Partner = 4,
}
