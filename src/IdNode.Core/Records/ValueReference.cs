namespace IdNode.Core.Records;

/// <summary>A pointer from a value to a value of another identifier.</summary>
public sealed record ValueReference(string Handle, int Index);
