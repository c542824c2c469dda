using System.Text;
using IdNode.Core.Json;
using IdNode.Core.Records;

namespace IdNode.Core.Tests.Json;

/// <summary>
/// The fast stored-form reader must give exactly what the lenient document reader gives on the
/// writer's output, and must decline (so the document reader decides) on anything else.
/// </summary>
public class StoredFormReaderTests
{
    public static TheoryData<string> WrittenRecords() => new()
    {
        "plain", "escapes", "every-format", "references", "permissions", "empty",
    };

    private static List<HandleValue> Record(string name) => name switch
    {
        "plain" => [new HandleValue(1, "URL", ValueData.FromString("https://example.com/p"), Timestamp: 1_790_000_000)],
        "escapes" =>
        [
            new HandleValue(1, "EMAIL", ValueData.FromString("a\"b\\c\n\t\u0001 <tag> & 'q' 中文 😀"), Timestamp: 1),
            new HandleValue(2, "ty\"pe/中", ValueData.FromString(""), 0, 0),
        ],
        "every-format" =>
        [
            new HandleValue(1, "URL", ValueData.FromString("x"), 60, 1_790_000_000),
            new HandleValue(2, "BLOB", ValueData.FromBytes([0, 1, 2, 254, 255]), Timestamp: 5),
            new HandleValue(3, "BLOB", ValueData.FromBytes([]), Timestamp: 5),
            new HandleValue(100, "HS_ADMIN", ValueData.FromAdmin(new AdminRef("88.999/ADMIN", 300, "011111110011"))),
            new HandleValue(7, "HS_SITE", ValueData.FromJson("site", """{"version":1,"servers":[{"a":"b\"c"}]}""")),
            new HandleValue(8, "HS_PUBKEY", ValueData.FromJson("key", "\"AAAA\"")),
            new HandleValue(9, "HS_VLIST", ValueData.FromJson("vlist", """[{"handle":"88.999/x","index":1}]""")),
        ],
        "references" =>
        [
            new HandleValue(1, "URL", ValueData.FromString("x"), References: [new ValueReference("88.999/other", 2), new ValueReference("88.1/中", -1)]),
        ],
        "permissions" =>
        [
            new HandleValue(1, "A", ValueData.FromString("x"), Permissions: ValuePermissions.AdminRead | ValuePermissions.AdminWrite),
            new HandleValue(-5, "B", ValueData.FromString("y"), int.MaxValue, 253_402_300_799, ValuePermissions.PublicRead),
        ],
        "empty" => [],
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(WrittenRecords))]
    public void The_fast_reader_reads_the_writers_output_exactly_as_the_document_reader_does(string name)
    {
        var values = Record(name);
        var stored = HandleJsonWriter.Stored(values);

        Assert.True(StoredFormReader.TryRead(stored, out var fast), "the writer's own output takes the fast path");
        var slow = HandleJsonReader.ReadStoredDocument(stored);
        AssertSame(slow, fast);
        AssertSame(values, fast);
    }

    [Theory]
    [InlineData("""[{"index":1,"type":"URL","data":{"format":"STRING","value":"x"},"ttl":86400,"timestamp":"2026-01-01T00:00:00Z"}]""")]
    [InlineData("""[{"index":1,"type":"URL","data":{"format":"hex","value":"00ff"},"ttl":86400}]""")]
    [InlineData("""[{"index":"1","type":"URL","data":{"format":"string","value":"x"}}]""")]
    [InlineData("""[{"index":1,"type":"URL","data":"bare string"}]""")]
    [InlineData("""[{"index":1,"type":"URL","data":{"value":"x","format":"string"}}]""")]
    [InlineData("""[{"index":1,"type":"URL","data":{"format":"string","value":"x"},"ttl":null,"permissions":null}]""")]
    [InlineData("""[{"index":1,"type":"URL","data":{"format":"string","value":"x"},"extra":true}]""")]
    [InlineData("""[{"index":1,"type":"URL","data":{"format":"string","value":"x"},"timestamp":"27 Nov 2026 01:02:03 +08:00"}]""")]
    [InlineData("""[{"index":1,"type":"URL","data":{"format":"string","value":"x"},"references":[{"handle":"88.1/a","index":1,"x":2}]}]""")]
    public void Anything_else_is_declined_and_read_by_the_document_reader(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Assert.False(StoredFormReader.TryRead(bytes, out _));
        AssertSame(HandleJsonReader.ReadStoredDocument(bytes), HandleJsonReader.ReadStored(bytes));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[")]
    [InlineData("[{\"index\":1,")]
    [InlineData("{\"index\":1}")]
    [InlineData("[] []")]
    [InlineData("[{\"index\":1,\"type\":\"URL\"}]")] // no data
    [InlineData("[{\"index\":1,\"type\":\"URL\",\"data\":{\"format\":\"admin\",\"value\":{\"handle\":\"\",\"index\":1}}}]")]
    public void Malformed_or_incomplete_input_is_declined(string json)
        => Assert.False(StoredFormReader.TryRead(Encoding.UTF8.GetBytes(json), out _));

    private static void AssertSame(IReadOnlyList<HandleValue> expected, IReadOnlyList<HandleValue> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].SameContent(actual[i]), $"value {i}: expected {expected[i]}, got {actual[i]}");
            Assert.Equal(expected[i].Timestamp, actual[i].Timestamp);
        }
    }
}
