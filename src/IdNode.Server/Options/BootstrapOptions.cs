namespace IdNode.Server.Options;

/// <summary><c>IdNode:Bootstrap</c> — the first credential.</summary>
public sealed class BootstrapOptions
{
    public const string Section = "IdNode:Bootstrap";

    /// <summary>
    /// Secret of <c>300:{prefix}/ADMIN</c>. When set, the stored credential is made to match it at
    /// every start. When unset and no admin exists yet, one is generated and printed once.
    /// </summary>
    public string? AdminSecret { get; set; }
}
