namespace IdNode.Core.Handles;

/// <summary>
/// A refusal that points the client elsewhere: the identifier's prefix is served by another node
/// (a self-hosted enterprise). <see cref="Site"/> is that node's base URL; <see cref="Location"/>
/// the URL that resolves the identifier there. The edges add both to their error answer.
/// </summary>
public sealed class ReferralException : HandleException
{
    public string Site { get; }

    public string Location { get; }

    public ReferralException(ResponseCode code, string message, string site, string location) : base(code, message)
    {
        Site = site;
        Location = location;
    }
}
