namespace IdNode.Core.Services;

public sealed class ResolverOptions
{
    /// <summary>Upper bound on how long a found record stays cached, seconds (default 3600). The record's smallest TTL applies when lower.</summary>
    public int MaxTtlSeconds { get; init; } = 3600;

    /// <summary>How long "not found" is cached, seconds (default 5). Creating the identifier drops it at once.</summary>
    public int NegativeTtlSeconds { get; init; } = 5;
}
