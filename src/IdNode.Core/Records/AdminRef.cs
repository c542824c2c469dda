namespace IdNode.Core.Records;

/// <summary>
/// HS_ADMIN data: who administers a handle and with which of the 12 permission bits
/// (most significant first: list_handles, read_value, add_admin, remove_admin, modify_admin,
/// add_value, remove_value, modify_value, delete_derived_prefix, add_derived_prefix,
/// delete_handle, add_handle).
/// </summary>
public sealed record AdminRef(string Handle, int Index, string Permissions)
{
    public const int PermissionCount = 12;

    public bool Can(AdminPermission permission)
        => Permissions.Length == PermissionCount && Permissions[(int)permission] == '1';

    public static bool IsValidPermissions(string? permissions)
        => permissions is { Length: PermissionCount } && permissions.AsSpan().IndexOfAnyExcept('0', '1') < 0;
}

/// <summary>Positions in the 12-character HS_ADMIN permission string.</summary>
public enum AdminPermission
{
    ListHandles = 0,
    ReadValue = 1,
    AddAdmin = 2,
    RemoveAdmin = 3,
    ModifyAdmin = 4,
    AddValue = 5,
    RemoveValue = 6,
    ModifyValue = 7,
    DeleteDerivedPrefix = 8,
    AddDerivedPrefix = 9,
    DeleteHandle = 10,
    AddHandle = 11,
}
