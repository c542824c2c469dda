using System.Text;
using System.Text.Json;
using IdNode.Core.Handles;
using IdNode.Core.Json;
using IdNode.Core.Records;

namespace IdNode.Core.Tests.Json;

public class HandleJsonTests
{
    [Fact]
    public void The_stored_form_round_trips_every_field()
    {
        var values = new List<HandleValue>
        {
            new(1, "URL", ValueData.FromString("https://例子.cn/p"), 60, 1_790_000_000, ValuePermissions.Default, [new ValueReference("88.999/other", 2)]),
            new(2, "BLOB", ValueData.FromBytes([0, 1, 254, 255]), Permissions: ValuePermissions.AdminRead | ValuePermissions.AdminWrite),
            new(100, "HS_ADMIN", ValueData.FromAdmin(new AdminRef("88.999/ADMIN", 300, "011111110011"))),
            new(7, "HS_SITE", ValueData.FromJson("site", """{"version":1,"servers":[]}""")),
        };
        var read = HandleJsonReader.ReadStored(HandleJsonWriter.Stored(values));
        Assert.Equal(values.Count, read.Count);
        for (var i = 0; i < values.Count; i++)
        {
            Assert.True(values[i].SameContent(read[i]), $"value {i}");
            Assert.Equal(values[i].Timestamp, read[i].Timestamp);
        }
    }

    [Fact]
    public void Resolve_responses_omit_default_permissions_and_empty_references()
    {
        var values = new List<HandleValue> { new(1, "URL", ValueData.FromString("x"), Timestamp: 0) };
        var json = Encoding.UTF8.GetString(HandleJsonWriter.ResolveResponse("88.999/a", values, null));
        Assert.Equal("""{"responseCode":1,"handle":"88.999/a","values":[{"index":1,"type":"URL","data":{"format":"string","value":"x"},"ttl":86400,"timestamp":"1970-01-01T00:00:00Z"}]}""", json);
    }

    [Fact]
    public void Chinese_text_is_not_escaped_but_html_sensitive_characters_are()
    {
        var values = new List<HandleValue> { new(1, "NAME", ValueData.FromString("离心泵 </script>")) };
        var json = Encoding.UTF8.GetString(HandleJsonWriter.ResolveResponse("88.999/a", values, null));
        Assert.Contains("离心泵", json, StringComparison.Ordinal);
        Assert.DoesNotContain("</script>", json, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("离心泵 </script>", doc.RootElement.GetProperty("values")[0].GetProperty("data").GetProperty("value").GetString());
    }

    [Theory]
    [InlineData("""{"index":"200","type":"HS_ADMIN","data":{"format":"admin","value":{"handle":"0.NA/88.999","index":"200","permissions":"011111110011"}}}""", 200)]
    [InlineData("""{"index":1,"type":"URL","data":"http://example.org"}""", 1)]
    public void Lenient_shapes_of_real_clients_are_read(string value, int index)
    {
        var values = HandleJsonReader.ReadBody(Encoding.UTF8.GetBytes(value), out _);
        Assert.Equal(index, Assert.Single(values).Index);
    }

    [Theory]
    [InlineData("""{"index":1,"type":"B","data":{"format":"base64","value":"@@@"}}""", ResponseCode.InvalidValue)]
    [InlineData("""{"index":1,"type":"B","data":{"format":"hex","value":"xyz"}}""", ResponseCode.InvalidValue)]
    [InlineData("""{"index":1,"type":"B","data":{"format":"admin","value":{"index":1}}}""", ResponseCode.InvalidValue)]
    [InlineData("""{"index":1""", ResponseCode.ProtocolError)]
    [InlineData("""[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]""", ResponseCode.ProtocolError)]
    public void Bad_input_is_a_typed_error(string body, ResponseCode code)
    {
        var e = Assert.Throws<HandleException>(() => HandleJsonReader.ReadBody(Encoding.UTF8.GetBytes(body), out _));
        Assert.Equal(code, e.Code);
    }
}
