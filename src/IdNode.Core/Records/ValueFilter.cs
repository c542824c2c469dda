namespace IdNode.Core.Records;

/// <summary>
/// The resolve filters of Handle.Net: types compare ignoring case, a trailing dot also matches
/// subtypes (<c>EMAIL.</c> matches <c>EMAIL</c> and <c>EMAIL.work</c>); type and index filters are OR-ed.
/// </summary>
public static class ValueFilter
{
    public static bool Matches(HandleValue v, IReadOnlyList<string> types, IReadOnlyList<int> indexes)
    {
        if (types.Count == 0 && indexes.Count == 0)
            return true;
        foreach (var i in indexes)
            if (v.Index == i)
                return true;
        foreach (var t in types)
        {
            if (t.EndsWith('.'))
            {
                var bare = t.AsSpan(0, t.Length - 1);
                if (v.Type.AsSpan().Equals(bare, StringComparison.OrdinalIgnoreCase)
                    || v.Type.StartsWith(t, StringComparison.OrdinalIgnoreCase))
                    return true;
            }
            else if (v.Type.Equals(t, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
