using IdNode.Core.Handles;

namespace IdNode.Core.Records;

/// <summary>Checks a record's values against the node's rules. Returns the first broken rule, or null.</summary>
public static class RecordValidator
{
    private const int StackIndexes = 64;

    public static HandleException? Validate(IReadOnlyList<HandleValue> values, RecordLimits limits)
    {
        if (values.Count > limits.MaxValues)
            return new HandleException(ResponseCode.InvalidValue, $"Too many values: {values.Count} (limit {limits.MaxValues})");
        // Indexes seen so far: on the stack for the usual handful of values (a growing HashSet cost
        // several hundred bytes per record of a batch), a set for long records.
        HashSet<int>? seenSet = values.Count > StackIndexes ? new HashSet<int>(values.Count) : null;
        Span<int> seenSpan = stackalloc int[seenSet is null ? values.Count : 0];
        long size = 0;
        for (var n = 0; n < values.Count; n++)
        {
            var v = values[n];
            if (v.Index <= 0)
                return new HandleException(ResponseCode.InvalidValue, $"Invalid index {v.Index}: indexes must be positive");
            if (seenSet is not null ? !seenSet.Add(v.Index) : seenSpan[..n].Contains(v.Index))
                return new HandleException(ResponseCode.ValueAlreadyExists, $"Index conflict: index {v.Index} appears more than once");
            if (seenSet is null)
                seenSpan[n] = v.Index;
            var error = ValidateValue(v);
            if (error is not null)
                return error;
            size += 32 + v.Type.Length + v.Data.ApproximateSize;
        }
        if (size > limits.MaxRecordBytes)
            return new HandleException(ResponseCode.InvalidValue, $"Record too large: about {size} bytes (limit {limits.MaxRecordBytes})");
        return null;
    }

    public static HandleException? ValidateValue(HandleValue v)
    {
        if (string.IsNullOrEmpty(v.Type))
            return new HandleException(ResponseCode.InvalidValue, $"Value {v.Index}: empty type");
        if (v.Type.Length > WellKnown.MaxTypeLength)
            return new HandleException(ResponseCode.InvalidValue, $"Value {v.Index}: type longer than {WellKnown.MaxTypeLength} characters");
        foreach (var c in v.Type)
            if (char.IsControl(c))
                return new HandleException(ResponseCode.InvalidValue, $"Value {v.Index}: control character in type");
        if (v.Ttl < 0)
            return new HandleException(ResponseCode.InvalidValue, $"Value {v.Index}: negative ttl");

        var isAdminType = string.Equals(v.Type, WellKnown.HsAdmin, StringComparison.OrdinalIgnoreCase);
        if (v.Data.Format == DataFormat.Admin != isAdminType)
            return new HandleException(ResponseCode.InvalidValue, $"Value {v.Index}: HS_ADMIN values and only they use the admin data format");
        if (v.Data.Format == DataFormat.Admin && !AdminRef.IsValidPermissions(v.Data.Admin!.Permissions))
            return new HandleException(ResponseCode.InvalidValue, $"Value {v.Index}: admin permissions must be 12 characters of 0 and 1");

        // Reserved indexes (PROTOCOLS.md): 100 HS_ADMIN, 300 credentials, 1001 template version.
        switch (v.Index)
        {
            case WellKnown.AdminIndex when !isAdminType:
                return new HandleException(ResponseCode.InvalidValue, $"Index {WellKnown.AdminIndex} is reserved for HS_ADMIN");
            case WellKnown.CredentialIndex when !IsCredentialType(v.Type):
                return new HandleException(ResponseCode.InvalidValue, $"Index {WellKnown.CredentialIndex} is reserved for HS_SECKEY/HS_PUBKEY");
            case WellKnown.TemplateVersionIndex when v.Data.Format != DataFormat.String || v.Data.Text!.Length > WellKnown.MaxTemplateVersionLength:
                return new HandleException(ResponseCode.InvalidValue, $"Index {WellKnown.TemplateVersionIndex} is reserved for the template version (a string of at most {WellKnown.MaxTemplateVersionLength} characters)");
        }
        if (string.Equals(v.Type, WellKnown.HsSecKey, StringComparison.OrdinalIgnoreCase) && (v.Data.Format != DataFormat.String || string.IsNullOrEmpty(v.Data.Text)))
            return new HandleException(ResponseCode.InvalidValue, $"Value {v.Index}: HS_SECKEY data must be a non-empty string");
        return null;
    }

    public static bool IsCredentialType(string type)
        => string.Equals(type, WellKnown.HsSecKey, StringComparison.OrdinalIgnoreCase)
           || string.Equals(type, WellKnown.HsPubKey, StringComparison.OrdinalIgnoreCase);
}
