using System.Text;

namespace IdNode.LoadTests;

/// <summary>
/// Record bodies the scenarios register: a URL, a template version and a few template items,
/// about 600 bytes of Handle JSON — the shape of a typical product identifier.
/// </summary>
public static class Records
{
    public static byte[] Body(string handle, long revision)
    {
        var json = $$$"""
            {"values":[
            {"index":1,"type":"URL","data":{"format":"string","value":"https://example.com/products/{{{handle}}}"}},
            {"index":1001,"type":"TEMPLATE","data":{"format":"string","value":"pump-v3"}},
            {"index":2000,"type":"manufacturer","data":{"format":"string","value":"Example Pump Works Co., Ltd."}},
            {"index":2001,"type":"model","data":{"format":"string","value":"CP-150-40"}},
            {"index":2002,"type":"batch","data":{"format":"string","value":"B0042"}},
            {"index":2003,"type":"productionDate","data":{"format":"string","value":"2026-03-14"}},
            {"index":2004,"type":"revision","data":{"format":"string","value":"{{{revision}}}"}}
            ]}
            """;
        return Encoding.UTF8.GetBytes(json);
    }

    public static string Spread(string prefix, int i) => $"{prefix}/LOADTEST-{i:D8}";
}
