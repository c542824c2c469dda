using System.Text.Json;
using System.Text.Json.Serialization;

namespace IdNode.Core.Registry;

/// <summary>
/// The stored form of an enterprise (one JSON column beside the columns queries filter on), so a
/// new field needs no migration in every store.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Enterprise))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;

public static class RegistryJson
{
    public static byte[] Serialize(Enterprise enterprise) => JsonSerializer.SerializeToUtf8Bytes(enterprise, RegistryJsonContext.Default.Enterprise);

    public static Enterprise DeserializeEnterprise(byte[] data)
        => JsonSerializer.Deserialize(data, RegistryJsonContext.Default.Enterprise) ?? throw new InvalidDataException("Stored enterprise is null");

    /// <summary>Granted prefixes are stored space-separated (prefixes never contain spaces).</summary>
    public static string JoinPrefixes(IReadOnlyList<string> prefixes) => string.Join(' ', prefixes);

    public static IReadOnlyList<string> SplitPrefixes(string? text)
        => string.IsNullOrEmpty(text) ? [] : text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
