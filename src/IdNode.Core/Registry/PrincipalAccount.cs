namespace IdNode.Core.Registry;

/// <summary>
/// A stored principal (not a Handle identity). <see cref="SecretHash"/> is only ever a
/// <see cref="Auth.SecretHasher"/> hash. <see cref="Prefixes"/> are normalised prefixes; a grant
/// covers the prefix and every prefix derived from it.
/// </summary>
public sealed record PrincipalAccount(string Username, PrincipalRole Role, long? EnterpriseId, IReadOnlyList<string> Prefixes, string SecretHash, bool Disabled, long CreatedAt);
