namespace IdNode.Core.Registry;

/// <summary>What an enterprise sends to apply. <see cref="RequestedPrefix"/> is a number (<c>5</c>) or a full prefix under the node (<c>88.999.5</c>).</summary>
public sealed record EnterpriseApplication(string? Name, string? CreditCode, string? Contact, string? Industry, string? Town, string? Cluster, string? RequestedPrefix);
