namespace IdNode.Core.Records;

/// <summary>How a value's data is represented in Handle JSON. <c>hex</c> is accepted on input and stored as <see cref="Base64"/>.</summary>
public enum DataFormat
{
    String,
    Base64,
    Admin,
    /// <summary>site, key, vlist and other structured formats: kept as the client's JSON.</summary>
    Json,
}
