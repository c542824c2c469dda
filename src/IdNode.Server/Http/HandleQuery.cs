using System.Globalization;
using IdNode.Core.Handles;
using IdNode.Core.Records;
using Microsoft.Extensions.Primitives;

namespace IdNode.Server.Http;

/// <summary>The query parameters of the Handle REST API, parsed once and strictly.</summary>
public sealed class HandleQuery
{
    public List<string> Types { get; } = [];
    public List<int> Indexes { get; } = [];
    public bool IndexVarious { get; private set; }
    public bool? PublicOnly { get; private set; }
    public bool Authoritative { get; private set; }
    public bool Pretty { get; private set; }
    public string? Callback { get; private set; }
    public bool? Overwrite { get; private set; }
    public bool MintNewSuffix { get; private set; }

    public bool HasFilters => Types.Count > 0 || Indexes.Count > 0;

    public static HandleQuery Parse(IQueryCollection query)
    {
        var q = new HandleQuery();
        if (query.Count == 0)
            return q;
        foreach (var t in query["type"])
            if (!string.IsNullOrEmpty(t))
                q.Types.Add(t);
        foreach (var i in query["index"])
        {
            if (string.Equals(i, "various", StringComparison.OrdinalIgnoreCase))
            {
                q.IndexVarious = true;
                continue;
            }
            if (!int.TryParse(i, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                throw new HandleException(ResponseCode.ProtocolError, $"Invalid index parameter '{i}': an integer or 'various'");
            q.Indexes.Add(n);
        }
        q.PublicOnly = Flag(query, "publicOnly");
        q.Authoritative = Flag(query, "auth") ?? false;
        q.Pretty = Flag(query, "pretty") ?? false;
        q.Overwrite = Flag(query, "overwrite");
        q.MintNewSuffix = Flag(query, "mintNewSuffix") ?? false;
        if (query.TryGetValue("callback", out var cb) && !StringValues.IsNullOrEmpty(cb))
        {
            var name = cb.ToString();
            if (!IsSafeCallback(name))
                throw new HandleException(ResponseCode.ProtocolError, "Invalid callback: letters, digits, '_', '$' and '.' only, at most 128");
            q.Callback = name;
        }
        return q;
    }

    /// <summary>True when present with an empty value, <c>yes</c> or <c>true</c>; false for any other value; null when absent.</summary>
    private static bool? Flag(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var values))
            return null;
        var v = values.ToString();
        return v.Length == 0 || v.Equals("true", StringComparison.OrdinalIgnoreCase) || v.Equals("yes", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsSafeCallback(string name)
    {
        if (name.Length is 0 or > 128 || char.IsAsciiDigit(name[0]))
            return false;
        foreach (var c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '$' or '.'))
                return false;
        return true;
    }

    /// <summary>Type filters compare ignoring case; a trailing dot also matches subtypes. Type and index filters are OR-ed.</summary>
    public bool Matches(HandleValue v) => ValueFilter.Matches(v, Types, Indexes);
}
