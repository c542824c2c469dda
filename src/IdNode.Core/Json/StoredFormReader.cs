using System.Text;
using System.Text.Json;
using IdNode.Core.Records;

namespace IdNode.Core.Json;

/// <summary>
/// One forward pass over the stored form exactly as <see cref="HandleJsonWriter.Stored"/> writes it,
/// without building a <see cref="JsonDocument"/>: every cold read and every shared-cache (Redis) hit
/// decodes a record, and the document plus a property search per field was the larger part of that.
/// Anything the writer would not produce (an unknown member, an upper-case format, hex data, a
/// string index) makes it give up and return false, and the caller reads the same bytes with the
/// lenient document reader, which also owns every error message. So this reader only has to be
/// right on the writer's own output, and the round-trip tests check that it is.
/// </summary>
internal static class StoredFormReader
{
    public static bool TryRead(ReadOnlySpan<byte> utf8, out List<HandleValue> values)
    {
        values = null!;
        var r = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 16 });
        try
        {
            if (!r.Read() || r.TokenType != JsonTokenType.StartArray)
                return false;
            var list = new List<HandleValue>(8);
            while (r.Read())
            {
                if (r.TokenType == JsonTokenType.EndArray)
                {
                    if (r.Read())
                        return false; // trailing content
                    values = list;
                    return true;
                }
                if (r.TokenType != JsonTokenType.StartObject || !TryReadValue(ref r, utf8, out var value))
                    return false;
                list.Add(value);
            }
            return false;
        }
        catch (JsonException)
        {
            return false; // malformed: the document reader reports it
        }
    }

    private static bool TryReadValue(ref Utf8JsonReader r, ReadOnlySpan<byte> utf8, out HandleValue value)
    {
        value = null!;
        int? index = null;
        string? type = null;
        ValueData? data = null;
        var ttl = HandleValue.DefaultTtl;
        var permissions = ValuePermissions.Default;
        long timestamp = 0;
        IReadOnlyList<ValueReference> references = [];
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("index"u8))
            {
                if (!TryReadInt(ref r, out var n))
                    return false;
                index = n;
            }
            else if (r.ValueTextEquals("type"u8))
            {
                if (!TryReadString(ref r, out type))
                    return false;
            }
            else if (r.ValueTextEquals("data"u8))
            {
                if (!r.Read() || r.TokenType != JsonTokenType.StartObject || !TryReadData(ref r, utf8, out data))
                    return false;
            }
            else if (r.ValueTextEquals("permissions"u8))
            {
                if (!r.Read() || r.TokenType != JsonTokenType.String || !ValuePermissionsText.TryParse(r.GetString(), out permissions))
                    return false;
            }
            else if (r.ValueTextEquals("ttl"u8))
            {
                if (!TryReadInt(ref r, out ttl))
                    return false;
            }
            else if (r.ValueTextEquals("timestamp"u8))
            {
                if (!r.Read() || r.TokenType != JsonTokenType.String || !r.TryGetDateTimeOffset(out var ts))
                    return false;
                timestamp = ts.ToUnixTimeSeconds();
            }
            else if (r.ValueTextEquals("references"u8))
            {
                if (!r.Read() || r.TokenType != JsonTokenType.StartArray || !TryReadReferences(ref r, out var refs))
                    return false;
                references = refs;
            }
            else
            {
                return false;
            }
        }
        if (r.TokenType != JsonTokenType.EndObject || index is null || type is null || data is null)
            return false;
        value = new HandleValue(index.Value, type, data, ttl, timestamp, permissions, references);
        return true;
    }

    private enum Format { Unknown, String, Base64, Admin, Json }

    /// <summary>Reads <c>{"format":..,"value":..}</c>; the writer puts "format" first.</summary>
    private static bool TryReadData(ref Utf8JsonReader r, ReadOnlySpan<byte> utf8, out ValueData? data)
    {
        data = null;
        if (!r.Read() || r.TokenType != JsonTokenType.PropertyName || !r.ValueTextEquals("format"u8) || !r.Read() || r.TokenType != JsonTokenType.String)
            return false;
        string? jsonFormat = null;
        var format = r.ValueTextEquals("string"u8) ? Format.String
            : r.ValueTextEquals("base64"u8) ? Format.Base64
            : r.ValueTextEquals("admin"u8) ? Format.Admin
            : r.ValueTextEquals("site"u8) ? Json("site")
            : r.ValueTextEquals("key"u8) ? Json("key")
            : r.ValueTextEquals("vlist"u8) ? Json("vlist")
            : Format.Unknown;
        if (format == Format.Unknown)
            return false;
        if (!r.Read() || r.TokenType != JsonTokenType.PropertyName || !r.ValueTextEquals("value"u8) || !r.Read())
            return false;
        switch (format)
        {
            case Format.String:
                if (r.TokenType != JsonTokenType.String)
                    return false;
                data = ValueData.FromString(r.GetString()!);
                break;
            case Format.Base64:
                if (r.TokenType != JsonTokenType.String || !r.TryGetBytesFromBase64(out var bytes))
                    return false;
                data = ValueData.FromBytes(bytes);
                break;
            case Format.Admin:
                if (r.TokenType != JsonTokenType.StartObject || !TryReadAdmin(ref r, out var admin))
                    return false;
                data = ValueData.FromAdmin(admin);
                break;
            default:
            {
                // The raw text of the value, as JsonElement.GetRawText gives it.
                var start = (int)r.TokenStartIndex;
                r.Skip();
                data = ValueData.FromJson(jsonFormat!, Encoding.UTF8.GetString(utf8[start..(int)r.BytesConsumed]));
                break;
            }
        }
        return r.Read() && r.TokenType == JsonTokenType.EndObject;

        Format Json(string name)
        {
            jsonFormat = name;
            return Format.Json;
        }
    }

    private static bool TryReadAdmin(ref Utf8JsonReader r, out AdminRef admin)
    {
        admin = null!;
        if (!TryReadHandleAndIndex(ref r, permissionsAllowed: true, out var handle, out var index, out var permissions))
            return false;
        permissions ??= "111111111111";
        if (string.IsNullOrEmpty(handle) || index is null || !AdminRef.IsValidPermissions(permissions))
            return false;
        admin = new AdminRef(handle, index.Value, permissions);
        return true;
    }

    private static bool TryReadReferences(ref Utf8JsonReader r, out List<ValueReference> references)
    {
        references = [];
        while (r.Read() && r.TokenType == JsonTokenType.StartObject)
        {
            if (!TryReadHandleAndIndex(ref r, permissionsAllowed: false, out var handle, out var index, out _) || handle is null || index is null)
                return false;
            references.Add(new ValueReference(handle, index.Value));
        }
        return r.TokenType == JsonTokenType.EndArray;
    }

    /// <summary>The members of an admin value or a reference: {"handle":..,"index":..[,"permissions":..]}.</summary>
    private static bool TryReadHandleAndIndex(ref Utf8JsonReader r, bool permissionsAllowed, out string? handle, out int? index, out string? permissions)
    {
        handle = null;
        index = null;
        permissions = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("handle"u8))
            {
                if (!TryReadString(ref r, out handle))
                    return false;
            }
            else if (r.ValueTextEquals("index"u8))
            {
                if (!TryReadInt(ref r, out var n))
                    return false;
                index = n;
            }
            else if (permissionsAllowed && r.ValueTextEquals("permissions"u8))
            {
                if (!TryReadString(ref r, out permissions))
                    return false;
            }
            else
            {
                return false;
            }
        }
        return r.TokenType == JsonTokenType.EndObject;
    }

    private static bool TryReadString(ref Utf8JsonReader r, out string? text)
    {
        text = null;
        if (!r.Read() || r.TokenType != JsonTokenType.String)
            return false;
        text = r.GetString();
        return true;
    }

    private static bool TryReadInt(ref Utf8JsonReader r, out int number)
    {
        number = 0;
        return r.Read() && r.TokenType == JsonTokenType.Number && r.TryGetInt32(out number);
    }
}
