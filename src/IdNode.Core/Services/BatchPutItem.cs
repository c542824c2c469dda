using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Records;

namespace IdNode.Core.Services;

/// <summary>One identifier of a batch write with the values it should hold.</summary>
public sealed record BatchPutItem(Identifier Id, IReadOnlyList<HandleValue> Values);

/// <summary>The outcome of one batch item: the accepted write, or the rule it broke.</summary>
public readonly record struct BatchPutOutcome(PutResult Result, HandleException? Error)
{
    public bool Succeeded => Error is null;
}
