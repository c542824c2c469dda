using System.Globalization;
using System.Text.Json;
using IdNode.Core.Handles;
using IdNode.Core.Records;

namespace IdNode.Core.Json;

/// <summary>
/// Reads Handle JSON values as real clients send them: an array, <c>{"values":[...]}</c> or a
/// single value; <c>data</c> as a bare string or <c>{format,value}</c>; indexes as numbers or
/// numeric strings. Every refusal names the value and the rule it broke.
/// </summary>
public static class HandleJsonReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    /// <summary>The body of a PUT. <paramref name="bodyHandle"/> is the optional <c>"handle"</c> member.</summary>
    public static List<HandleValue> ReadBody(ReadOnlyMemory<byte> utf8, out string? bodyHandle)
    {
        bodyHandle = null;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new HandleException(ResponseCode.ProtocolError, $"Malformed JSON body: {FirstLine(e.Message)}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            switch (root.ValueKind)
            {
                case JsonValueKind.Array:
                    return ReadValues(root, keepTimestamps: false);
                case JsonValueKind.Object when root.TryGetProperty("values", out var values):
                    if (root.TryGetProperty("handle", out var h))
                    {
                        if (h.ValueKind != JsonValueKind.String)
                            throw new HandleException(ResponseCode.ProtocolError, "\"handle\" in the body must be a string");
                        bodyHandle = h.GetString();
                    }
                    if (values.ValueKind != JsonValueKind.Array)
                        throw new HandleException(ResponseCode.ProtocolError, "\"values\" must be an array");
                    return ReadValues(values, keepTimestamps: false);
                case JsonValueKind.Object:
                    return [ReadValue(root, 0, keepTimestamps: false)];
                default:
                    throw new HandleException(ResponseCode.ProtocolError, "Body must be a JSON array of values, {\"values\":[...]} or one value");
            }
        }
    }

    /// <summary>The stored form: an array of values with their timestamps.</summary>
    public static List<HandleValue> ReadStored(ReadOnlySpan<byte> utf8)
        => StoredFormReader.TryRead(utf8, out var values) ? values : ReadStoredDocument(utf8);

    /// <summary>The lenient reader of the stored form: anything the fast reader declines.</summary>
    internal static List<HandleValue> ReadStoredDocument(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        using var doc = JsonDocument.ParseValue(ref reader);
        return ReadValues(doc.RootElement, keepTimestamps: true);
    }

    public static List<HandleValue> ReadValues(JsonElement array, bool keepTimestamps)
    {
        var list = new List<HandleValue>(array.GetArrayLength());
        var position = 0;
        foreach (var item in array.EnumerateArray())
            list.Add(ReadValue(item, position++, keepTimestamps));
        return list;
    }

    /// <summary>
    /// Unix seconds of a stored timestamp. The node writes ISO 8601 ("2026-11-27T01:00:00Z"), which
    /// System.Text.Json parses from the UTF-8 bytes directly; the culture-aware parse it replaced cost
    /// ~2 µs per value on every cold read. Other forms (records written by other tools) still go
    /// through the general parser, assumed UTC.
    /// </summary>
    private static long ReadTimestamp(JsonElement element)
    {
        if (element.TryGetDateTimeOffset(out var iso))
            return iso.ToUnixTimeSeconds();
        return DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var ts)
            ? ts.ToUnixTimeSeconds()
            : 0;
    }

    public static HandleValue ReadValue(JsonElement e, int position, bool keepTimestamps)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw Invalid(position, "must be a JSON object");
        if (!e.TryGetProperty("index", out var indexElement))
            throw Invalid(position, "has no \"index\"");
        var index = ReadInt(indexElement, position, "index");

        if (!e.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            throw Invalid(position, $"(index {index}) needs a string \"type\"");
        var type = typeElement.GetString()!;

        if (!e.TryGetProperty("data", out var dataElement))
            throw Invalid(position, $"(index {index}) has no \"data\"");
        var data = ReadData(dataElement, index);

        var ttl = HandleValue.DefaultTtl;
        if (e.TryGetProperty("ttl", out var ttlElement) && ttlElement.ValueKind != JsonValueKind.Null)
            ttl = ReadInt(ttlElement, position, "ttl");

        var permissions = ValuePermissions.Default;
        if (e.TryGetProperty("permissions", out var permElement) && permElement.ValueKind != JsonValueKind.Null)
        {
            if (permElement.ValueKind != JsonValueKind.String || !ValuePermissionsText.TryParse(permElement.GetString(), out permissions))
                throw Invalid(position, $"(index {index}) \"permissions\" must be 4 characters of 0 and 1");
        }

        IReadOnlyList<ValueReference> references = [];
        if (e.TryGetProperty("references", out var refsElement) && refsElement.ValueKind != JsonValueKind.Null)
            references = ReadReferences(refsElement, index);

        long timestamp = 0;
        if (keepTimestamps && e.TryGetProperty("timestamp", out var tsElement) && tsElement.ValueKind == JsonValueKind.String)
            timestamp = ReadTimestamp(tsElement);

        return new HandleValue(index, type, data, ttl, timestamp, permissions, references);
    }

    private static ValueData ReadData(JsonElement e, int index)
    {
        if (e.ValueKind == JsonValueKind.String)
            return ValueData.FromString(e.GetString()!);
        if (e.ValueKind != JsonValueKind.Object)
            throw InvalidData(index, "\"data\" must be a string or {\"format\":..,\"value\":..}");

        var format = "string";
        if (e.TryGetProperty("format", out var f))
        {
            if (f.ValueKind != JsonValueKind.String)
                throw InvalidData(index, "\"data.format\" must be a string");
            format = f.GetString()!;
        }
        if (!e.TryGetProperty("value", out var value))
            throw InvalidData(index, "\"data\" has no \"value\"");

        switch (format.ToLowerInvariant())
        {
            case "string":
                if (value.ValueKind != JsonValueKind.String)
                    throw InvalidData(index, "string data must be a JSON string");
                return ValueData.FromString(value.GetString()!);
            case "base64":
            {
                if (value.ValueKind != JsonValueKind.String)
                    throw InvalidData(index, "base64 data must be a JSON string");
                var text = value.GetString()!;
                var bytes = new byte[text.Length * 3 / 4 + 3];
                if (!Convert.TryFromBase64String(text, bytes, out var n))
                    throw InvalidData(index, "data is not valid base64");
                return ValueData.FromBytes(bytes[..n]);
            }
            case "hex":
            {
                if (value.ValueKind != JsonValueKind.String)
                    throw InvalidData(index, "hex data must be a JSON string");
                try
                {
                    return ValueData.FromBytes(Convert.FromHexString(value.GetString()!));
                }
                catch (FormatException)
                {
                    throw InvalidData(index, "data is not valid hex");
                }
            }
            case "admin":
                return ValueData.FromAdmin(ReadAdmin(value, index));
            case "site" or "key" or "vlist":
                return ValueData.FromJson(format.ToLowerInvariant(), value.GetRawText());
            default:
                throw InvalidData(index, $"unknown data format \"{format}\" (string, base64, hex, admin, site, key, vlist)");
        }
    }

    private static AdminRef ReadAdmin(JsonElement e, int index)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw InvalidData(index, "admin data must be {\"handle\":..,\"index\":..,\"permissions\":..}");
        if (!e.TryGetProperty("handle", out var h) || h.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(h.GetString()))
            throw InvalidData(index, "admin data needs a string \"handle\"");
        if (!e.TryGetProperty("index", out var i))
            throw InvalidData(index, "admin data needs an \"index\"");
        var adminIndex = ReadInt(i, index, "data.value.index");
        var permissions = "111111111111";
        if (e.TryGetProperty("permissions", out var p))
        {
            if (p.ValueKind != JsonValueKind.String || !AdminRef.IsValidPermissions(p.GetString()))
                throw InvalidData(index, "admin permissions must be 12 characters of 0 and 1");
            permissions = p.GetString()!;
        }
        return new AdminRef(h.GetString()!, adminIndex, permissions);
    }

    private static List<ValueReference> ReadReferences(JsonElement e, int index)
    {
        if (e.ValueKind != JsonValueKind.Array)
            throw InvalidData(index, "\"references\" must be an array");
        var list = new List<ValueReference>();
        foreach (var r in e.EnumerateArray())
        {
            if (r.ValueKind != JsonValueKind.Object || !r.TryGetProperty("handle", out var h) || h.ValueKind != JsonValueKind.String
                || !r.TryGetProperty("index", out var i))
                throw InvalidData(index, "each reference must be {\"handle\":..,\"index\":..}");
            list.Add(new ValueReference(h.GetString()!, ReadInt(i, index, "references.index")));
        }
        return list;
    }

    private static int ReadInt(JsonElement e, int position, string field)
    {
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var n))
            return n;
        if (e.ValueKind == JsonValueKind.String && int.TryParse(e.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n))
            return n;
        throw Invalid(position, $"\"{field}\" must be an integer");
    }

    private static HandleException Invalid(int position, string what)
        => new(ResponseCode.InvalidValue, $"Value #{position} {what}");

    private static HandleException InvalidData(int index, string what)
        => new(ResponseCode.InvalidValue, $"Value {index}: {what}");

    private static string FirstLine(string s)
    {
        var i = s.IndexOf('\n');
        return i < 0 ? s : s[..i];
    }
}
