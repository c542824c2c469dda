using System.Text;
using IdNode.Core.Caching;
using IdNode.Core.Identifiers;
using IdNode.Core.Json;
using IdNode.Core.Node;
using IdNode.Core.Ports;
using IdNode.Core.Records;
using IdNode.Core.Services;

namespace IdNode.Benchmarks;

/// <summary>
/// The record shape the benchmarks and load tests use: a product identifier with a URL, an admin
/// value, a template version and a handful of template items — about 1.2 KB of public JSON,
/// which is what a typical industrial-internet record looks like.
/// </summary>
public static class SampleRecords
{
    public const string NodePrefix = "88.999";
    public static readonly NodeSettings Node = new(NodePrefix);

    public static string Handle(int i) => $"88.999.1001/PUMP-2026-{i:D9}";

    public static List<HandleValue> Values(int i)
    {
        var values = new List<HandleValue>
        {
            new(WellKnown.UrlIndex, WellKnown.Url, ValueData.FromString($"https://example.com/products/PUMP-2026-{i:D9}")),
            new(WellKnown.AdminIndex, WellKnown.HsAdmin, ValueData.FromAdmin(new AdminRef("88.999.1001/ADMIN", WellKnown.CredentialIndex, "111111111111"))),
            new(WellKnown.TemplateVersionIndex, "TEMPLATE", ValueData.FromString("pump-v3")),
            new(2000, "manufacturer", ValueData.FromString("Example Pump Works Co., Ltd.")),
            new(2001, "model", ValueData.FromString("CP-150-40")),
            new(2002, "batch", ValueData.FromString($"B{i % 997:D4}")),
            new(2003, "productionDate", ValueData.FromString("2026-03-14")),
            new(2004, "serial", ValueData.FromString($"SN{i:D12}")),
            new(2005, "internalCost", ValueData.FromString("1234.50"), Permissions: ValuePermissions.AdminRead | ValuePermissions.AdminWrite),
        };
        return values;
    }

    public static StoredRecord Stored(int i, long version = 1)
    {
        var handle = Handle(i);
        return new StoredRecord(Key(handle), handle, version, HandleJsonWriter.Stored(Values(i)), 0);
    }

    public static string Key(string handle)
        => IdentifierParser.TryParse(handle, Node.Rules, out var id, out var error) ? id.Key : throw new InvalidOperationException(error.Message);

    /// <summary>The PUT body a client sends for record <paramref name="i"/>.</summary>
    public static byte[] PutBody(int i)
    {
        var sb = new StringBuilder("{\"values\":[");
        var values = Values(i);
        var stored = Encoding.UTF8.GetString(HandleJsonWriter.Stored(values));
        sb.Append(stored.AsSpan(1, stored.Length - 2));
        sb.Append("]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>A resolver over a store that is never reached: every benchmark key is put in L1 first.</summary>
    public static Resolver CachedResolver(int count, out L1Cache l1)
    {
        l1 = new L1Cache(long.MaxValue);
        var resolver = new Resolver(new UnreachableStore(), l1, new ResolverOptions());
        var now = l1.NowMs;
        for (var i = 0; i < count; i++)
        {
            var stored = Stored(i);
            l1.Set(resolver.BuildEntry(stored.Key, stored, now));
        }
        return resolver;
    }
}
