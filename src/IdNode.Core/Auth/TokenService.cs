using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IdNode.Core.Handles;
using IdNode.Core.Ports;
using IdNode.Core.Registry;

namespace IdNode.Core.Auth;

/// <summary>
/// Logins and bearer tokens. A token is 32 random bytes (base64url); only its SHA-256 is stored.
/// Tokens live 24 hours and can be revoked. Every secret check — a token login or Handle Basic on
/// any surface — goes through one <see cref="LoginThrottle"/>: repeated failures lock the
/// principal (and a source address), answered without running the slow hash.
/// Also the one place an <c>Authorization</c> value becomes a principal: Bearer here, Basic
/// through <see cref="CredentialVerifier"/>.
/// </summary>
public sealed class TokenService(IRegistryStore registry, CredentialVerifier verifier, AuditLog audit, TimeProvider? time = null)
{
    public const int MaxFailures = LoginThrottle.MaxFailures;
    public static readonly TimeSpan LockDuration = LoginThrottle.LockDuration;
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    // A token seen recently is trusted for this long without a store read; a revocation made on
    // another node takes effect within it (one made here, at once).
    private static readonly TimeSpan MemoLifetime = TimeSpan.FromSeconds(30);
    private const int MaxUsernameLength = 256;

    // Spent on unknown user names so a miss takes as long as a wrong password.
    private static readonly string DummyHash = SecretHasher.Hash(SecretHasher.NewSecret());

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, (Principal Principal, long ExpiresAt, long CheckedAt)> _memo = new(StringComparer.Ordinal);

    public LoginThrottle Throttle { get; } = new(registry, audit, time);

    /// <summary>
    /// Checks the user name and password and issues a token; rc 403 on any failure (the message does
    /// not say which part was wrong), <see cref="LoginLockedException"/> while locked.
    /// <paramref name="source"/> is the client's address, for the per-source limit and the audit.
    /// </summary>
    public async Task<string> LoginAsync(string? username, string? password, string? source = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(username) || username.Length > MaxUsernameLength || string.IsNullOrEmpty(password))
            throw new HandleException(ResponseCode.AuthenticationFailed, $"username and password are required (username at most {MaxUsernameLength} characters)");
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var principal = await CheckPasswordAsync(username, password, source, cancellationToken).ConfigureAwait(false)
                        ?? throw new HandleException(ResponseCode.AuthenticationFailed, "Authentication failed: wrong username or password");

        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        await registry.AddTokenAsync(new TokenRecord(HashToken(token), principal.Name, now, now + (long)Lifetime.TotalSeconds, false), cancellationToken).ConfigureAwait(false);
        audit.Record(principal.Name, "login", principal.Name, null, principal.EnterpriseId, AuditEntry.Ok);
        return token;
    }

    private async Task<Principal?> CheckPasswordAsync(string username, string password, string? source, CancellationToken cancellationToken)
    {
        if (username.Contains(':', StringComparison.Ordinal) && HandleIdentity.TryParse(username, out var identity))
        {
            try
            {
                return await verifier.VerifyAsync(identity, password, Throttle, source, "login", cancellationToken).ConfigureAwait(false);
            }
            catch (HandleException e) when (e is not LoginLockedException)
            {
                return null;
            }
        }
        var storeHoldsFailures = await Throttle.ThrowIfLockedInStoreAsync(username, source, "login", cancellationToken).ConfigureAwait(false);
        var account = await registry.GetPrincipalAsync(username, cancellationToken).ConfigureAwait(false);
        bool ok;
        if (account is null || account.Disabled)
        {
            SecretHasher.Verify(password, DummyHash);
            ok = false;
        }
        else
        {
            ok = SecretHasher.Verify(password, account.SecretHash);
        }
        if (!ok || account is null)
        {
            await Throttle.RecordFailureAsync(username, source, "login", cancellationToken).ConfigureAwait(false);
            return null;
        }
        await Throttle.RecordSuccessAsync(username, storeHoldsFailures, cancellationToken).ConfigureAwait(false);
        return Principal.ForAccount(account);
    }

    /// <summary>
    /// The principal named by an <c>Authorization</c> value (<c>Bearer token</c> or Handle Basic),
    /// null when there is none; throws rc 403/404 for a bad one.
    /// </summary>
    public ValueTask<Principal?> AuthenticateAsync(string? authorization, CancellationToken cancellationToken = default)
        => AuthenticateAsync(authorization, null, cancellationToken);

    /// <summary>As <see cref="AuthenticateAsync(string?, CancellationToken)"/>; Basic failures count against the identity and <paramref name="source"/> (the client's address).</summary>
    public async ValueTask<Principal?> AuthenticateAsync(string? authorization, string? source, CancellationToken cancellationToken = default)
    {
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return await AuthenticateTokenAsync(authorization.AsSpan(7).Trim().ToString(), cancellationToken).ConfigureAwait(false);
        return await verifier.AuthenticateAsync(authorization, Throttle, source, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<Principal> AuthenticateTokenAsync(string token, CancellationToken cancellationToken = default)
    {
        if (token.Length is 0 or > 128)
            throw new HandleException(ResponseCode.InvalidCredential, "Invalid token");
        var hash = HashToken(token);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (_memo.TryGetValue(hash, out var memo) && memo.ExpiresAt > now && now - memo.CheckedAt < MemoLifetime.TotalSeconds)
            return memo.Principal;

        var stored = await registry.GetTokenAsync(hash, cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.Revoked || stored.ExpiresAt <= now)
        {
            _memo.TryRemove(hash, out _);
            throw new HandleException(ResponseCode.AuthenticationFailed, stored is null ? "Invalid token" : stored.Revoked ? "Token revoked" : "Token expired: log in again");
        }
        Principal principal;
        if (stored.Username.Contains(':', StringComparison.Ordinal) && HandleIdentity.TryParse(stored.Username, out var identity))
        {
            principal = verifier.PrincipalFor(identity);
        }
        else
        {
            var account = await registry.GetPrincipalAsync(stored.Username, cancellationToken).ConfigureAwait(false);
            if (account is null || account.Disabled)
                throw new HandleException(ResponseCode.AuthenticationFailed, $"Principal {stored.Username} is disabled");
            principal = Principal.ForAccount(account);
        }
        if (_memo.Count > 100_000)
            _memo.Clear();
        _memo[hash] = (principal, stored.ExpiresAt, now);
        return principal;
    }

    public async Task<bool> RevokeAsync(string token, CancellationToken cancellationToken = default)
    {
        var hash = HashToken(token);
        _memo.TryRemove(hash, out _);
        return await registry.RevokeTokensAsync(hash, null, cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <summary>Revokes every token of a user (disabled principal, changed grants).</summary>
    public async Task<int> RevokeAllAsync(string username, CancellationToken cancellationToken = default)
    {
        foreach (var (hash, memo) in _memo)
            if (memo.Principal.Name == username)
                _memo.TryRemove(hash, out _);
        return await registry.RevokeTokensAsync(null, username, cancellationToken).ConfigureAwait(false);
    }

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
