namespace IdNode.Core.Auth;

/// <summary>
/// An authenticated caller. <see cref="HandleKey"/> is the normalised identity handle;
/// <see cref="IdentityPrefix"/> its normalised prefix, the part of the namespace it administers.
/// </summary>
public sealed record Principal(HandleIdentity Identity, string HandleKey, string IdentityPrefix, bool IsNodeAdmin)
{
    public string Name => Identity.ToString();
}
