using System.Globalization;

namespace IdNode.Core.Auth;

/// <summary>An identity as Handle names it: the value at <see cref="Index"/> of <see cref="Handle"/> (e.g. <c>300:88.999/ADMIN</c>).</summary>
public sealed record HandleIdentity(int Index, string Handle)
{
    public override string ToString() => $"{Index.ToString(CultureInfo.InvariantCulture)}:{Handle}";

    /// <summary>Parses <c>index:handle</c> (the colon possibly URL-encoded as <c>%3A</c>).</summary>
    public static bool TryParse(string? text, out HandleIdentity identity)
    {
        identity = null!;
        if (string.IsNullOrEmpty(text))
            return false;
        var decoded = text.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(text) : text;
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == decoded.Length - 1)
            return false;
        if (!int.TryParse(decoded.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index <= 0)
            return false;
        identity = new HandleIdentity(index, decoded[(colon + 1)..]);
        return true;
    }
}
