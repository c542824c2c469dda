using System.Buffers;
using System.Text.Json;
using IdNode.Core.Json;
using IdNode.Core.Records;

namespace IdNode.Core.Tests.Json;

/// <summary>
/// <see cref="HandleJsonWriter.Stored(IReadOnlyList{HandleValue})"/> reuses one buffer and writer per
/// thread: whatever ran before on the thread (another record, a huge record, a write that threw), the
/// bytes must be exactly those of a fresh writer.
/// </summary>
public class StoredEncodingTests
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All), SkipValidation = true };

    /// <summary>The stored form written the plain way: a new buffer and writer.</summary>
    private static byte[] Fresh(IReadOnlyList<HandleValue> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, Compact))
            HandleJsonWriter.WriteValues(w, values, null, storage: true);
        return buffer.WrittenSpan.ToArray();
    }

    private static List<HandleValue> Record(int i, int textLength = 20) =>
    [
        new(1, "URL", ValueData.FromString($"https://example.cn/{i}/" + new string('x', textLength)), Timestamp: 1_790_000_000 + i),
        new(2, "EMAIL", ValueData.FromString($"<owner-{i}@example.cn> & 中文"), Ttl: 60, Timestamp: i, Permissions: ValuePermissions.AdminRead | ValuePermissions.AdminWrite),
        new(3, "BIN", ValueData.FromBytes([(byte)i, 0, 255]), Timestamp: 7),
        new(100, "HS_ADMIN", ValueData.FromAdmin(new AdminRef("88.999/ADMIN", 300, "111111111111")), Timestamp: 8),
        new(4, "HS_SITE", ValueData.FromJson("site", """{"servers":[{"address":"127.0.0.1"}]}"""), Timestamp: 9,
            References: [new ValueReference("88.999/other", i)]),
    ];

    [Fact]
    public void Consecutive_records_on_one_thread_match_a_fresh_writer()
    {
        // Long, then short, then long again: a reused buffer must not leak bytes of the previous record.
        foreach (var i in new[] { 0, 1, 2, 3 })
        {
            var values = Record(i, textLength: i % 2 == 0 ? 3000 : 1);
            Assert.Equal(Fresh(values), HandleJsonWriter.Stored(values));
        }
    }

    [Fact]
    public void Text_records_match_a_fresh_writer_for_every_ASCII_character_and_extreme_numbers()
    {
        // Text-only records take a byte-by-byte path; a character the encoder escapes must send the
        // record down the general path, whichever field it is in.
        for (var c = 0; c < 128; c++)
        {
            var ch = (char)c;
            List<HandleValue> inText = [new(1, "URL", ValueData.FromString($"https://example.cn/a{ch}b"), Timestamp: 1_790_000_000)];
            List<HandleValue> inType = [new(2, $"T{ch}", ValueData.FromString("x"), Ttl: -1, Timestamp: 0, Permissions: ValuePermissions.None)];
            Assert.Equal(Fresh(inText), HandleJsonWriter.Stored(inText));
            Assert.Equal(Fresh(inType), HandleJsonWriter.Stored(inType));
        }
        List<HandleValue> extremes =
        [
            new(int.MinValue, "", ValueData.FromString(""), Ttl: int.MaxValue, Timestamp: 253_402_300_799, Permissions: (ValuePermissions)0xF),
            new(int.MaxValue, "中文", ValueData.FromString("x"), Ttl: int.MinValue, Timestamp: 1),
            new(0, "URL", ValueData.FromString(new string('y', 100_000)), Ttl: 0, Timestamp: -62_135_596_800),
        ];
        Assert.Equal(Fresh(extremes), HandleJsonWriter.Stored(extremes));
        Assert.Equal(Fresh([extremes[0], extremes[2]]), HandleJsonWriter.Stored([extremes[0], extremes[2]]));
        var stamped = extremes.Select(v => v with { Timestamp = 1_800_000_000 }).ToList();
        Assert.Equal(Fresh(stamped), HandleJsonWriter.Stored(extremes, 1_800_000_000));
        Assert.Equal(Fresh([]), HandleJsonWriter.Stored([]));
    }

    [Fact]
    public void A_record_larger_than_the_retained_buffer_and_the_next_one_match_a_fresh_writer()
    {
        var huge = Record(1, textLength: 200_000);
        var small = Record(2);
        Assert.Equal(Fresh(huge), HandleJsonWriter.Stored(huge));
        Assert.Equal(Fresh(small), HandleJsonWriter.Stored(small));
    }

    [Fact]
    public void A_write_that_throws_midway_leaves_nothing_behind_for_the_next_record()
    {
        // An admin value without its reference fails inside the writer, after some bytes were written.
        var broken = new List<HandleValue> { new(1, "URL", ValueData.FromString("https://example.cn/a")), new(100, "HS_ADMIN", ValueData.FromAdmin(null!)) };
        Assert.ThrowsAny<Exception>(() => HandleJsonWriter.Stored(broken));
        var values = Record(5);
        Assert.Equal(Fresh(values), HandleJsonWriter.Stored(values));
    }

    [Fact]
    public async Task Concurrent_threads_each_get_the_bytes_of_a_fresh_writer()
    {
        var expected = Enumerable.Range(0, 200).Select(i => Fresh(Record(i, textLength: i * 37 % 500))).ToArray();
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var round = 0; round < 20; round++)
            {
                for (var n = 0; n < 200; n++)
                {
                    var i = (t * 13 + n) % 200;
                    Assert.Equal(expected[i], HandleJsonWriter.Stored(Record(i, textLength: i * 37 % 500)));
                }
            }
        }));
        await Task.WhenAll(tasks);
    }

    [Fact]
    public void Stored_with_a_timestamp_equals_the_stored_form_of_values_stamped_with_it()
    {
        var values = Record(3);
        var stamped = values.Select(v => v with { Timestamp = 1_795_712_523 }).ToList();
        Assert.Equal(Fresh(stamped), HandleJsonWriter.Stored(values, 1_795_712_523));
        Assert.Equal(HandleJsonWriter.Stored(stamped), HandleJsonWriter.Stored(values, 1_795_712_523));
        // The values themselves are untouched.
        Assert.Equal(1_790_000_003, values[0].Timestamp);
    }

    [Fact]
    public void Permission_text_is_the_four_bits_for_every_combination()
    {
        for (var b = 0; b < 16; b++)
        {
            var expected = $"{(b >> 3) & 1}{(b >> 2) & 1}{(b >> 1) & 1}{b & 1}";
            Assert.Equal(expected, ValuePermissionsText.Format((ValuePermissions)b));
            Assert.True(ValuePermissionsText.TryParse(expected, out var parsed));
            Assert.Equal((ValuePermissions)b, parsed);
        }
    }
}
