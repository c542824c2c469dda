using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Records;

namespace IdNode.Core.Services;

/// <summary>One identifier of a batch write with the values it should hold.</summary>
/// <param name="Compose">
/// When set, the item updates an existing record only (rc 100 when there is none), and the values
/// written are <c>Compose(current record)</c> instead of <paramref name="Values"/>: a merge with the
/// stored values (SNMS batchUpdate keeps the values it does not replace). It runs on the state the
/// batch read, so each record is read once per round, and again on the new state when the item
/// lost a race. <paramref name="Values"/> are still validated up front.
/// </param>
public sealed record BatchPutItem(Identifier Id, IReadOnlyList<HandleValue> Values, Func<HandleRecord, IReadOnlyList<HandleValue>>? Compose = null);

/// <summary>The outcome of one batch item: the accepted write, or the rule it broke.</summary>
public readonly record struct BatchPutOutcome(PutResult Result, HandleException? Error)
{
    public bool Succeeded => Error is null;
}
