namespace IdNode.Core.Records;

/// <summary>
/// The data of a value. Exactly one payload is set, chosen by <see cref="Format"/>:
/// <see cref="Text"/> for string, <see cref="Bytes"/> for base64, <see cref="Admin"/> for admin,
/// <see cref="Json"/> (raw JSON text) with <see cref="FormatName"/> for site/key/vlist.
/// </summary>
public sealed class ValueData : IEquatable<ValueData>
{
    public DataFormat Format { get; }
    public string? Text { get; }
    public byte[]? Bytes { get; }
    public AdminRef? Admin { get; }
    public string? Json { get; }
    public string FormatName { get; }

    private ValueData(DataFormat format, string formatName, string? text, byte[]? bytes, AdminRef? admin, string? json)
    {
        Format = format;
        FormatName = formatName;
        Text = text;
        Bytes = bytes;
        Admin = admin;
        Json = json;
    }

    public static ValueData FromString(string text) => new(DataFormat.String, "string", text, null, null, null);
    public static ValueData FromBytes(byte[] bytes) => new(DataFormat.Base64, "base64", null, bytes, null, null);
    public static ValueData FromAdmin(AdminRef admin) => new(DataFormat.Admin, "admin", null, null, admin, null);
    public static ValueData FromJson(string formatName, string json) => new(DataFormat.Json, formatName, null, null, null, json);

    /// <summary>Size in bytes as the record size limit counts it.</summary>
    public int ApproximateSize => Format switch
    {
        DataFormat.String => System.Text.Encoding.UTF8.GetByteCount(Text!),
        DataFormat.Base64 => Bytes!.Length,
        DataFormat.Admin => Admin!.Handle.Length + 16,
        _ => Json!.Length,
    };

    public bool Equals(ValueData? other) => other is not null && Format == other.Format && FormatName == other.FormatName
        && Text == other.Text && Admin == other.Admin && Json == other.Json
        && (Bytes is null ? other.Bytes is null : other.Bytes is not null && Bytes.AsSpan().SequenceEqual(other.Bytes));

    public override bool Equals(object? obj) => Equals(obj as ValueData);
    public override int GetHashCode() => HashCode.Combine(Format, Text, Admin, Json, Bytes?.Length);
}
