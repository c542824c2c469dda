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

    [Theory]
    [InlineData(2)]
    [InlineData(64)]  // the last count checked on the stack
    [InlineData(65)]  // the first checked with a set
    [InlineData(400)]
    public void A_duplicate_is_found_wherever_it_is_in_short_and_long_records(int count)
    {
        // From 2000 up: clear of the reserved indexes (100, 300, 1001).
        var distinct = Enumerable.Range(2000, count).Select(Url).ToList();
        Assert.Null(RecordValidator.Validate(distinct, RecordLimits.Default));
        foreach (var (at, copyOf) in new[] { (count - 1, 0), (count - 1, count - 2), (1, 0) })
        {
            var values = distinct.ToList();
            values[at] = Url(2000 + copyOf);
            var error = RecordValidator.Validate(values, RecordLimits.Default);
            Assert.Equal(ResponseCode.ValueAlreadyExists, error!.Code);
            Assert.Contains($"index {2000 + copyOf} appears more than once", error.Message, StringComparison.Ordinal);
        }
    }

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
