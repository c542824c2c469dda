namespace IdNode.Core.Registry;

/// <summary>The approved enterprise and its admin's credentials; <see cref="AdminPassword"/> is shown this once (only its hash is stored).</summary>
public sealed record Approval(Enterprise Enterprise, string AdminUsername, string AdminPassword);
