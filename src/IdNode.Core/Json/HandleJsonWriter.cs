using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using IdNode.Core.Handles;
using IdNode.Core.Records;

namespace IdNode.Core.Json;

/// <summary>
/// Writes Handle.Net-shaped JSON. Values are written in the order of the record; a filter
/// decides which appear. Timestamps are ISO-8601 UTC without fractional seconds.
/// </summary>
public static class HandleJsonWriter
{
    // Chinese text stays readable (Handle.Net does not escape it either), while HTML-sensitive
    // characters (< > & ' +) are still escaped: JSONP bodies end up inside pages.
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All);
    private static readonly JsonWriterOptions Compact = new() { Encoder = Encoder, SkipValidation = true };
    private static readonly JsonWriterOptions Indented = new() { Encoder = Encoder, SkipValidation = true, Indented = true };

    public static JsonWriterOptions Options(bool pretty) => pretty ? Indented : Compact;

    /// <summary>The resolve response <c>{"responseCode":1,"handle":..,"values":[..]}</c>.</summary>
    public static byte[] ResolveResponse(string handle, IReadOnlyList<HandleValue> values, Func<HandleValue, bool>? include, bool pretty = false)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, Options(pretty)))
        {
            w.WriteStartObject();
            w.WriteNumber("responseCode"u8, (int)ResponseCode.Success);
            w.WriteString("handle"u8, handle);
            w.WritePropertyName("values"u8);
            WriteValues(w, values, include, storage: false);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>{"responseCode":1,"handle":..}</c>, the answer to a write.</summary>
    public static byte[] Success(string handle)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer, Compact))
        {
            w.WriteStartObject();
            w.WriteNumber("responseCode"u8, (int)ResponseCode.Success);
            w.WriteString("handle"u8, handle);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>An object written by <paramref name="body"/>, starting with <c>"responseCode":1</c>.</summary>
    public static byte[] SuccessObject(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, Compact))
        {
            w.WriteStartObject();
            w.WriteNumber("responseCode"u8, (int)ResponseCode.Success);
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>{"responseCode":rc,"handle":..,"message":..}</c>; handle omitted when null.</summary>
    public static byte[] Error(ResponseCode code, string? handle, string message, bool pretty = false) => Error(new HandleException(code, message), handle, pretty);

    /// <summary>The error body; a referral also names the site to ask and the URL resolving the handle there.</summary>
    public static byte[] Error(HandleException error, string? handle, bool pretty = false)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer, Options(pretty)))
        {
            w.WriteStartObject();
            w.WriteNumber("responseCode"u8, (int)error.Code);
            if (handle is not null)
                w.WriteString("handle"u8, handle);
            w.WriteString("message"u8, error.Message);
            if (error is ReferralException referral)
            {
                w.WriteString("site"u8, referral.Site);
                w.WriteString("location"u8, referral.Location);
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The stored form of a record's values (every field, timestamps included).</summary>
    public static byte[] Stored(IReadOnlyList<HandleValue> values) => Stored(values, null);

    /// <summary>
    /// The stored form of <paramref name="values"/> with every value's timestamp replaced by
    /// <paramref name="timestamp"/>: the same bytes as stamping copies of the values first.
    /// </summary>
    public static byte[] Stored(IReadOnlyList<HandleValue> values, long timestamp) => Stored(values, (long?)timestamp);

    private static byte[] Stored(IReadOnlyList<HandleValue> values, long? timestamp)
    {
        // Batches encode thousands of records back to back. A fresh buffer and writer per record
        // allocated ~9x the encoded size (the writer asks for worst-case escaping room before each
        // string, so a small buffer doubled several times), so each thread keeps one pair and
        // reuses it. The pair is taken out of the thread's slot while in use: a nested call (none
        // today; nothing in here awaits or calls out) would build its own instead of sharing.
        var scratch = t_storedScratch ?? new StoredScratch();
        t_storedScratch = null;
        scratch.Buffer.ResetWrittenCount();
        scratch.Writer.Reset(scratch.Buffer);
        var w = scratch.Writer;
        w.WriteStartArray();
        foreach (var v in values)
            WriteValue(w, v, storage: true, timestamp ?? v.Timestamp);
        w.WriteEndArray();
        w.Flush();
        var result = scratch.Buffer.WrittenSpan.ToArray();
        // An unusually large record's buffer is not kept for the life of the thread.
        if (scratch.Buffer.Capacity <= MaxRetainedStoredBuffer)
            t_storedScratch = scratch;
        return result;
    }

    private const int MaxRetainedStoredBuffer = 64 * 1024;

    [ThreadStatic] private static StoredScratch? t_storedScratch;

    private sealed class StoredScratch
    {
        public readonly ArrayBufferWriter<byte> Buffer = new(4096);
        public readonly Utf8JsonWriter Writer;

        public StoredScratch() => Writer = new Utf8JsonWriter(Buffer, Compact);
    }

    public static void WriteValues(Utf8JsonWriter w, IReadOnlyList<HandleValue> values, Func<HandleValue, bool>? include, bool storage)
    {
        w.WriteStartArray();
        foreach (var v in values)
            if (include is null || include(v))
                WriteValue(w, v, storage);
        w.WriteEndArray();
    }

    public static void WriteValue(Utf8JsonWriter w, HandleValue v, bool storage) => WriteValue(w, v, storage, v.Timestamp);

    private static void WriteValue(Utf8JsonWriter w, HandleValue v, bool storage, long timestamp)
    {
        w.WriteStartObject();
        w.WriteNumber("index"u8, v.Index);
        w.WriteString("type"u8, v.Type);
        w.WritePropertyName("data"u8);
        WriteData(w, v.Data);
        if (storage || v.Permissions != ValuePermissions.Default)
            w.WriteString("permissions"u8, ValuePermissionsText.Format(v.Permissions));
        w.WriteNumber("ttl"u8, v.Ttl);
        // Utf8JsonWriter writes a whole-second UTC DateTime as "yyyy-MM-ddTHH:mm:ssZ", the same text
        // as FormatTimestamp, without building a string per value.
        w.WriteString("timestamp"u8, DateTime.UnixEpoch.AddSeconds(timestamp));
        if (v.References.Count > 0)
        {
            w.WriteStartArray("references"u8);
            foreach (var r in v.References)
            {
                w.WriteStartObject();
                w.WriteString("handle"u8, r.Handle);
                w.WriteNumber("index"u8, r.Index);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void WriteData(Utf8JsonWriter w, ValueData d)
    {
        w.WriteStartObject();
        switch (d.Format)
        {
            case DataFormat.String:
                w.WriteString("format"u8, "string"u8);
                w.WriteString("value"u8, d.Text);
                break;
            case DataFormat.Base64:
                w.WriteString("format"u8, "base64"u8);
                w.WriteBase64String("value"u8, d.Bytes);
                break;
            case DataFormat.Admin:
                w.WriteString("format"u8, "admin"u8);
                w.WriteStartObject("value"u8);
                w.WriteString("handle"u8, d.Admin!.Handle);
                w.WriteNumber("index"u8, d.Admin.Index);
                w.WriteString("permissions"u8, d.Admin.Permissions);
                w.WriteEndObject();
                break;
            default:
                w.WriteString("format"u8, d.FormatName);
                w.WritePropertyName("value"u8);
                w.WriteRawValue(d.Json!, skipInputValidation: true);
                break;
        }
        w.WriteEndObject();
    }

    public static string FormatTimestamp(long unixSeconds)
        => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
