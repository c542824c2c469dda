namespace IdNode.Core.Records;

/// <summary>A stored identifier: its values and the version of this state (strictly increasing per identifier).</summary>
public sealed record HandleRecord(string Handle, long Version, IReadOnlyList<HandleValue> Values)
{
    public HandleValue? FindIndex(int index)
    {
        foreach (var v in Values)
            if (v.Index == index)
                return v;
        return null;
    }

    /// <summary>Smallest TTL of the record's values, in seconds (the cache lifetime the record asks for).</summary>
    public int MinTtl()
    {
        var min = int.MaxValue;
        foreach (var v in Values)
            if (v.Ttl < min)
                min = v.Ttl;
        return min == int.MaxValue ? HandleValue.DefaultTtl : min;
    }
}
