namespace IdNode.Core.Records;

/// <summary>The 4 permission bits of a value, written as <c>adminRead adminWrite publicRead publicWrite</c> ("1110" by default).</summary>
[Flags]
public enum ValuePermissions : byte
{
    None = 0,
    PublicWrite = 1,
    PublicRead = 2,
    AdminWrite = 4,
    AdminRead = 8,
    Default = AdminRead | AdminWrite | PublicRead,
}

public static class ValuePermissionsText
{
    // Every stored value carries its bits (seven strings per record of a batch before this table).
    private static readonly string[] Texts = [.. Enumerable.Range(0, 16).Select(b => Create((ValuePermissions)b))];

    public static string Format(ValuePermissions p) => (int)p < Texts.Length ? Texts[(int)p] : Create(p);

    private static string Create(ValuePermissions p) => string.Create(4, p, static (span, v) =>
    {
        span[0] = v.HasFlag(ValuePermissions.AdminRead) ? '1' : '0';
        span[1] = v.HasFlag(ValuePermissions.AdminWrite) ? '1' : '0';
        span[2] = v.HasFlag(ValuePermissions.PublicRead) ? '1' : '0';
        span[3] = v.HasFlag(ValuePermissions.PublicWrite) ? '1' : '0';
    });

    public static bool TryParse(string? text, out ValuePermissions permissions)
    {
        permissions = ValuePermissions.None;
        if (text is not { Length: 4 } || text.AsSpan().IndexOfAnyExcept('0', '1') >= 0)
            return false;
        if (text[0] == '1') permissions |= ValuePermissions.AdminRead;
        if (text[1] == '1') permissions |= ValuePermissions.AdminWrite;
        if (text[2] == '1') permissions |= ValuePermissions.PublicRead;
        if (text[3] == '1') permissions |= ValuePermissions.PublicWrite;
        return true;
    }
}
