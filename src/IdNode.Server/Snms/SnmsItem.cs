using IdNode.Core.Identifiers;
using IdNode.Core.Records;

namespace IdNode.Server.Snms;

/// <summary>One identifier of an SNMS request: the handle as sent, its parsed form, and its values in the Handle model.</summary>
public sealed record SnmsItem(string Handle, Identifier Id, string? TemplateVersion, IReadOnlyList<HandleValue> Values);
