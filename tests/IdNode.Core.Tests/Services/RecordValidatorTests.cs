using IdNode.Core.Handles;
using IdNode.Core.Records;

namespace IdNode.Core.Tests.Services;

public class RecordValidatorTests
{
    private static HandleValue Url(int index) => new(index, "URL", ValueData.FromString("https://x"));

    [Fact]
    public void Valid_records_pass() => Assert.Null(RecordValidator.Validate([Url(1), Url(2)], RecordLimits.Default));

    [Fact]
    public void Duplicate_indexes_are_an_index_conflict()
        => Assert.Equal(ResponseCode.ValueAlreadyExists, RecordValidator.Validate([Url(1), Url(1)], RecordLimits.Default)!.Code);

    [Fact]
    public void Reserved_indexes_hold_their_types()
    {
        Assert.NotNull(RecordValidator.Validate([Url(100)], RecordLimits.Default));
        Assert.NotNull(RecordValidator.Validate([Url(300)], RecordLimits.Default));
        Assert.NotNull(RecordValidator.Validate([new HandleValue(1001, "TEMPLATE", ValueData.FromBytes([1]))], RecordLimits.Default));
        Assert.Null(RecordValidator.Validate([new HandleValue(1001, "TEMPLATE", ValueData.FromString("1.0"))], RecordLimits.Default));
        Assert.Null(RecordValidator.Validate([new HandleValue(300, "HS_SECKEY", ValueData.FromString("s"))], RecordLimits.Default));
    }

    [Fact]
    public void Limits_are_enforced()
    {
        var big = new HandleValue(1, "BLOB", ValueData.FromBytes(new byte[70_000]));
        Assert.Contains("too large", RecordValidator.Validate([big], RecordLimits.Default)!.Message, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(RecordValidator.Validate(Enumerable.Range(1, 3).Select(Url).ToList(), new RecordLimits { MaxValues = 2 }));
        Assert.NotNull(RecordValidator.Validate([new HandleValue(1, new string('t', 129), ValueData.FromString("x"))], RecordLimits.Default));
    }
}
