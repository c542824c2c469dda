namespace IdNode.Core.Registry;

/// <summary>A bearer token as stored: only the SHA-256 (hex) of the opaque token, never the token itself.</summary>
public sealed record TokenRecord(string Hash, string Username, long IssuedAt, long ExpiresAt, bool Revoked);
