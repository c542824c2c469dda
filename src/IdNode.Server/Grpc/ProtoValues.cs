using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Node;
using IdNode.Core.Records;
using Proto = IdNode.Grpc.V1;

namespace IdNode.Server.Grpc;

/// <summary>
/// Wire messages ↔ the domain's value model. Only shape is checked here (a message field that has
/// no domain equivalent); every record rule stays in <see cref="RecordValidator"/>.
/// </summary>
public static class ProtoValues
{
    private static readonly string[] ReservedFormats = ["string", "base64", "hex", "admin"];

    public static Identifier ParseHandle(string? handle, NodeSettings node) => ParseHandle(handle, node, new FieldName("handle"));

    public static Identifier ParseHandle(string? handle, NodeSettings node, FieldName field)
    {
        if (!IdentifierParser.TryParse(handle, node.Rules, out var id, out var error))
            throw new HandleException(ResponseCode.InvalidHandle, $"{field}: {error.Message}");
        return id;
    }

    public static List<HandleValue> ToDomain(IReadOnlyList<Proto.HandleValue> values) => ToDomain(values, new FieldName("values"));

    public static List<HandleValue> ToDomain(IReadOnlyList<Proto.HandleValue> values, FieldName field)
    {
        var list = new List<HandleValue>(values.Count);
        for (var i = 0; i < values.Count; i++)
            list.Add(ToDomain(values[i], field, i));
        return list;
    }

    /// <param name="list">The field holding the value list; <paramref name="i"/> the value's place in it (error messages only).</param>
    private static HandleValue ToDomain(Proto.HandleValue v, FieldName list, int i)
    {
        var permissions = ValuePermissions.Default;
        if (v.HasPermissions)
        {
            if (v.Permissions > 0xF)
                Invalid($"{list}[{i}].permissions: 4 bits (0-15: 8 admin read, 4 admin write, 2 public read, 1 public write), got {v.Permissions}");
            permissions = (ValuePermissions)v.Permissions;
        }
        List<ValueReference>? references = null;
        if (v.References.Count > 0)
        {
            references = new List<ValueReference>(v.References.Count);
            foreach (var r in v.References)
                references.Add(new ValueReference(r.Handle, r.Index));
        }
        return new HandleValue(v.Index, v.Type, ToDomain(v.Data, list, i), v.HasTtl ? v.Ttl : HandleValue.DefaultTtl, 0, permissions, references);
    }

    private static ValueData ToDomain(Proto.ValueData? data, FieldName list, int i)
    {
        switch (data?.ValueCase ?? Proto.ValueData.ValueOneofCase.None)
        {
            case Proto.ValueData.ValueOneofCase.Text:
                return ValueData.FromString(data!.Text);
            case Proto.ValueData.ValueOneofCase.Binary:
                return ValueData.FromBytes(data!.Binary.ToByteArray());
            case Proto.ValueData.ValueOneofCase.Admin:
                return ValueData.FromAdmin(new AdminRef(data!.Admin.Handle, data.Admin.Index, data.Admin.Permissions));
            case Proto.ValueData.ValueOneofCase.Json:
                var json = data!.Json;
                if (string.IsNullOrEmpty(json.Format) || ReservedFormats.Contains(json.Format, StringComparer.OrdinalIgnoreCase))
                    Invalid($"{list}[{i}].data.json.format: a structured format name such as site, key or vlist (string, base64 and admin have their own fields)");
                if (!IsJson(json.Json))
                    Invalid($"{list}[{i}].data.json.json: not valid JSON");
                return ValueData.FromJson(json.Format, json.Json);
            default:
                Invalid($"{list}[{i}].data: one of text, binary, admin or json must be set");
                return null!;
        }
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Invalid(string message) => throw new HandleException(ResponseCode.InvalidValue, message);

    public static Proto.HandleValue ToProto(HandleValue v)
    {
        var p = new Proto.HandleValue
        {
            Index = v.Index,
            Type = v.Type,
            Data = ToProto(v.Data),
            Ttl = v.Ttl,
            Timestamp = v.Timestamp,
            Permissions = (uint)v.Permissions,
        };
        foreach (var r in v.References)
            p.References.Add(new Proto.ValueReference { Handle = r.Handle, Index = r.Index });
        return p;
    }

    private static Proto.ValueData ToProto(ValueData d) => d.Format switch
    {
        DataFormat.String => new Proto.ValueData { Text = d.Text },
        DataFormat.Base64 => new Proto.ValueData { Binary = ByteString.CopyFrom(d.Bytes) },
        DataFormat.Admin => new Proto.ValueData { Admin = new Proto.AdminRef { Handle = d.Admin!.Handle, Index = d.Admin.Index, Permissions = d.Admin.Permissions } },
        _ => new Proto.ValueData { Json = new Proto.JsonData { Format = d.FormatName, Json = d.Json } },
    };

    public static Proto.ResolveResponse ToResponse(HandleRecord record, IEnumerable<HandleValue> values)
    {
        var response = new Proto.ResolveResponse { Handle = record.Handle, Version = record.Version };
        foreach (var v in values)
            response.Values.Add(ToProto(v));
        return response;
    }
}

/// <summary>
/// A request field as error messages name it: <c>handle</c>, <c>handles[3]</c>, <c>items[3].values</c>.
/// Formatted only when an error names it: batches map thousands of fields per call and fail few.
/// </summary>
public readonly record struct FieldName(string Name, long Index = -1, string? Member = null)
{
    public override string ToString() => Index < 0 ? Name
        : Member is null ? string.Create(CultureInfo.InvariantCulture, $"{Name}[{Index}]")
        : string.Create(CultureInfo.InvariantCulture, $"{Name}[{Index}].{Member}");
}
