using System.Globalization;
using System.Text.Json;
using IdNode.Core.Handles;
using IdNode.Core.Records;
using IdNode.Core.Services;

namespace IdNode.Server.Snms;

/// <summary>
/// The SNMS value shape ↔ the Handle value model. SNMS items are
/// <c>{handle, prefix?, templateVersion?, value:[{index, type, auth, data:{format, value}}]}</c>:
/// the template version becomes the string value at index 1001 and each item a value at its index
/// (≥ 2000). <c>auth</c> "1" marks a value that needs authorisation to read (no public read bit; the
/// enterprise and its partners see it); "0" or absent is public. Everything else (duplicate
/// indexes, sizes, base64) is checked by Core's RecordValidator on the write path.
/// </summary>
public static class SnmsValues
{
    public const int MaxHandleLength = 255;
    public const string TemplateVersionType = "templateVersion";

    /// <summary>Reads one item or throws a HandleException naming the field and rule.</summary>
    public static SnmsItem Read(JsonElement item, RecordService records)
    {
        if (item.ValueKind != JsonValueKind.Object)
            throw Invalid("each item must be a JSON object with handle and value");
        var handle = String(item, "handle") ?? throw new HandleException(ResponseCode.InvalidHandle, "handle is required");
        if (handle.Length > MaxHandleLength)
            throw new HandleException(ResponseCode.InvalidHandle, $"handle must be at most {MaxHandleLength} characters (got {handle.Length})");
        var id = records.ParseOrThrow(handle);
        if (String(item, "prefix") is { } prefix && !string.Equals(prefix, handle[..handle.IndexOf('/', StringComparison.Ordinal)], StringComparison.OrdinalIgnoreCase))
            throw new HandleException(ResponseCode.InvalidHandle, $"prefix '{prefix}' does not match the handle's prefix");

        var values = new List<HandleValue>();
        var templateVersion = String(item, "templateVersion");
        if (templateVersion is not null)
        {
            if (templateVersion.Length is 0 or > WellKnown.MaxTemplateVersionLength)
                throw Invalid($"templateVersion must be 1 to {WellKnown.MaxTemplateVersionLength} characters");
            values.Add(new HandleValue(WellKnown.TemplateVersionIndex, TemplateVersionType, ValueData.FromString(templateVersion)));
        }
        if (item.TryGetProperty("value", out var array) && array.ValueKind != JsonValueKind.Null)
        {
            if (array.ValueKind != JsonValueKind.Array)
                throw Invalid("value must be an array of {index, type, auth, data}");
            var position = 0;
            foreach (var v in array.EnumerateArray())
                values.Add(ReadValue(v, position++));
        }
        if (values.Count == 0)
            throw Invalid("value: at least one value (or templateVersion) is required");
        return new SnmsItem(handle, id, templateVersion, values);
    }

    private static HandleValue ReadValue(JsonElement v, int position)
    {
        var at = $"value[{position}]";
        if (v.ValueKind != JsonValueKind.Object)
            throw Invalid($"{at} must be an object");
        if (!v.TryGetProperty("index", out var indexElement) || !TryInt(indexElement, out var index))
            throw Invalid($"{at}.index is required and must be an integer");
        if (index < WellKnown.TemplateItemsStart)
            throw Invalid($"{at}.index {index}: template items use index ≥ {WellKnown.TemplateItemsStart} (index {WellKnown.TemplateVersionIndex} is the templateVersion field)");
        var type = String(v, "type");
        if (string.IsNullOrEmpty(type) || type.Length > WellKnown.MaxTypeLength)
            throw Invalid($"{at}.type is required and must be at most {WellKnown.MaxTypeLength} characters");

        var restricted = v.TryGetProperty("auth", out var auth) && auth.ValueKind switch
        {
            JsonValueKind.String => auth.GetString() switch
            {
                "1" => true,
                "0" or "" => false,
                _ => throw Invalid($"{at}.auth must be \"0\" (public) or \"1\" (authorised readers only)"),
            },
            JsonValueKind.Number when TryInt(auth, out var n) && n is 0 or 1 => n == 1,
            JsonValueKind.Null => false,
            _ => throw Invalid($"{at}.auth must be \"0\" (public) or \"1\" (authorised readers only)"),
        };

        ValueData data;
        if (!v.TryGetProperty("data", out var d))
            throw Invalid($"{at}.data is required");
        if (d.ValueKind == JsonValueKind.String)
        {
            data = ValueData.FromString(d.GetString()!);
        }
        else if (d.ValueKind == JsonValueKind.Object)
        {
            var format = String(d, "format") ?? "string";
            var text = String(d, "value") ?? throw Invalid($"{at}.data.value is required (a string)");
            data = format.ToLowerInvariant() switch
            {
                "string" => ValueData.FromString(text),
                "base64" => ValueData.FromBytes(FromBase64(text, at)),
                _ => throw Invalid($"{at}.data.format must be \"string\" or \"base64\" (got '{format}')"),
            };
        }
        else
        {
            throw Invalid($"{at}.data must be {{format, value}} or a string");
        }
        var permissions = restricted ? ValuePermissions.AdminRead | ValuePermissions.AdminWrite : ValuePermissions.Default;
        return new HandleValue(index, type, data, Permissions: permissions);
    }

    /// <summary>Writes the <c>data</c> of a detail response: the values at index 1001 and ≥ 2000 the caller may see.</summary>
    public static void WriteDetail(Utf8JsonWriter json, HandleRecord record, bool includePrivate)
    {
        var slash = record.Handle.IndexOf('/', StringComparison.Ordinal);
        json.WriteStartObject();
        json.WriteString("prefix", slash > 0 ? record.Handle[..slash] : record.Handle);
        json.WriteString("handle", record.Handle);
        var tv = record.FindIndex(WellKnown.TemplateVersionIndex);
        if (tv?.Data.Text is { } version && (includePrivate || tv.IsPublicRead))
            json.WriteString("templateVersion", version);
        else
            json.WriteNull("templateVersion");
        json.WriteStartArray("value");
        foreach (var v in record.Values)
        {
            if (v.Index < WellKnown.TemplateItemsStart || !includePrivate && !v.IsPublicRead)
                continue;
            json.WriteStartObject();
            json.WriteNumber("index", v.Index);
            json.WriteString("type", v.Type);
            json.WriteString("auth", v.IsPublicRead ? "0" : "1");
            json.WriteStartObject("data");
            if (v.Data.Format == DataFormat.String)
            {
                json.WriteString("format", "string");
                json.WriteString("value", v.Data.Text);
            }
            else if (v.Data.Bytes is { } bytes)
            {
                json.WriteString("format", "base64");
                json.WriteString("value", Convert.ToBase64String(bytes));
            }
            else
            {
                json.WriteString("format", v.Data.FormatName);
                json.WriteNull("value");
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>An update keeps the values SNMS does not carry (below index 2000 except 1001) and, without a templateVersion, the stored one.</summary>
    public static List<HandleValue> ComposeUpdate(HandleRecord existing, SnmsItem item)
    {
        var next = existing.Values.Where(v => v.Index < WellKnown.TemplateItemsStart && (v.Index != WellKnown.TemplateVersionIndex || item.TemplateVersion is null)).ToList();
        next.AddRange(item.Values);
        next.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        return next;
    }

    private static byte[] FromBase64(string text, string at)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw Invalid($"{at}.data.value is not valid base64");
        }
    }

    internal static string? String(JsonElement e, string name)
        => e.TryGetProperty(name, out var p) ? p.ValueKind switch
        {
            JsonValueKind.String => p.GetString(),
            JsonValueKind.Null => null,
            JsonValueKind.Number => p.GetRawText(),
            _ => throw Invalid($"{name} must be a string"),
        } : null;

    private static bool TryInt(JsonElement e, out int value)
    {
        value = 0;
        return e.ValueKind switch
        {
            JsonValueKind.Number => e.TryGetInt32(out value),
            JsonValueKind.String => int.TryParse(e.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    private static HandleException Invalid(string message) => new(ResponseCode.InvalidValue, message);
}
