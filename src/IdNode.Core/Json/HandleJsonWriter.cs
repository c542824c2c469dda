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
        if (TryStoredPlain(values, timestamp) is { } plain)
            return plain;
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

    /// <summary>
    /// The stored form of a record whose values are all text without references and whose strings
    /// are printable ASCII that <see cref="Encoder"/> leaves as is (the usual registration), written
    /// byte by byte: the same bytes as the <see cref="Utf8JsonWriter"/> path, at a fraction of its
    /// per-property cost (stored-form encoding was ~14 % of the node's CPU in the BatchRegister
    /// profile). Null when any value falls outside that shape; the general path then writes it.
    /// </summary>
    private static byte[]? TryStoredPlain(IReadOnlyList<HandleValue> values, long? timestamp)
    {
        var size = 2;
        for (var i = 0; i < values.Count; i++)
        {
            var v = values[i];
            if (v.Data.Format != DataFormat.String || v.References.Count > 0 || !IsPlain(v.Type) || !IsPlain(v.Data.Text))
                return null;
            // 109 bytes of fixed text and separators, two ints (11 each at most), permissions (4), timestamp (20).
            size += 160 + v.Type.Length + v.Data.Text!.Length;
        }
        var buffer = t_plainScratch is { } scratch && scratch.Length >= size ? scratch : new byte[Math.Max(size, 4096)];
        var span = buffer.AsSpan();
        var at = 0;
        span[at++] = (byte)'[';
        for (var i = 0; i < values.Count; i++)
        {
            var v = values[i];
            if (i > 0)
                span[at++] = (byte)',';
            at += Put(span[at..], "{\"index\":"u8);
            at += PutInt(span[at..], v.Index);
            at += Put(span[at..], ",\"type\":\""u8);
            at += PutAscii(span[at..], v.Type);
            at += Put(span[at..], "\",\"data\":{\"format\":\"string\",\"value\":\""u8);
            at += PutAscii(span[at..], v.Data.Text!);
            at += Put(span[at..], "\"},\"permissions\":\""u8);
            at += PutAscii(span[at..], ValuePermissionsText.Format(v.Permissions));
            at += Put(span[at..], "\",\"ttl\":"u8);
            at += PutInt(span[at..], v.Ttl);
            at += Put(span[at..], ",\"timestamp\":\""u8);
            if (!DateTime.UnixEpoch.AddSeconds(timestamp ?? v.Timestamp).TryFormat(span[at..], out var written, "yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture))
                return null;
            at += written;
            at += Put(span[at..], "\"}"u8);
        }
        span[at++] = (byte)']';
        var result = span[..at].ToArray();
        if (buffer.Length <= MaxRetainedStoredBuffer)
            t_plainScratch = buffer;
        return result;
    }

    [ThreadStatic] private static byte[]? t_plainScratch;

    private static int Put(Span<byte> destination, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
    }

    private static int PutInt(Span<byte> destination, int value)
    {
        value.TryFormat(destination, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        return written;
    }

    private static int PutAscii(Span<byte> destination, string text)
    {
        for (var i = 0; i < text.Length; i++)
            destination[i] = (byte)text[i];
        return text.Length;
    }

    // Printable ASCII minus what Encoder escapes (" \ and the HTML-sensitive & ' + < > `).
    private static readonly SearchValues<char> Plain = SearchValues.Create(
        " !#$%()*,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~");

    private static bool IsPlain(string? text) => text is not null && !text.AsSpan().ContainsAnyExcept(Plain);

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
