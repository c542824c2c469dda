using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Json;
using IdNode.Core.Node;
using IdNode.Core.Ports;
using IdNode.Core.Records;

namespace IdNode.Core.Auth;

/// <summary>
/// Checks a secret against the HS_SECKEY value at the identity's index. A success is remembered
/// as an HMAC of the secret under a per-process key, so repeated requests skip the slow hash
/// (PBKDF2 costs tens of milliseconds; paying it on every PUT would cap writes at ~30/s per core).
/// The memo is bound to the stored hash, so changing the secret invalidates it.
/// </summary>
public sealed class CredentialVerifier
{
    private readonly IRecordStore _store;
    private readonly NodeSettings _node;
    private readonly byte[] _macKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, (string StoredHash, byte[] Mac)> _verified = new(StringComparer.Ordinal);

    public CredentialVerifier(IRecordStore store, NodeSettings node)
    {
        _store = store;
        _node = node;
    }

    /// <summary>
    /// The principal named by an <c>Authorization</c> value (see <see cref="BasicCredentials"/>),
    /// null when there is none; a bad one throws like <see cref="VerifyAsync(HandleIdentity, string, CancellationToken)"/>.
    /// </summary>
    public ValueTask<Principal?> AuthenticateAsync(string? authorization, CancellationToken cancellationToken = default)
        => AuthenticateAsync(authorization, null, null, cancellationToken);

    /// <summary>As <see cref="AuthenticateAsync(string?, CancellationToken)"/>, failures counted by <paramref name="throttle"/> against the identity and <paramref name="source"/>.</summary>
    public async ValueTask<Principal?> AuthenticateAsync(string? authorization, LoginThrottle? throttle, string? source, CancellationToken cancellationToken = default)
    {
        if (BasicCredentials.ParseAuthorization(authorization) is not { } credential)
            return null;
        return await VerifyAsync(credential.Identity, credential.Secret, throttle, source, "auth.basic", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The principal, or a HandleException with rc 404 (unknown credential) or 403 (wrong secret).</summary>
    public ValueTask<Principal> VerifyAsync(HandleIdentity identity, string secret, CancellationToken cancellationToken = default)
        => VerifyAsync(identity, secret, null, null, "auth.basic", cancellationToken);

    /// <summary>
    /// As <see cref="VerifyAsync(HandleIdentity, string, CancellationToken)"/>, throttled: a locked
    /// identity or source is refused before anything is read or hashed (<see cref="LoginLockedException"/>),
    /// and an unknown identity or a wrong secret counts as a failure. The throttle's key is the
    /// normalised identity (<c>index:handle key</c>), so case variants share one count.
    /// </summary>
    public async ValueTask<Principal> VerifyAsync(HandleIdentity identity, string secret, LoginThrottle? throttle, string? source, string surface,
        CancellationToken cancellationToken = default)
    {
        if (!IdentifierParser.TryParse(identity.Handle, _node.Rules, out var id, out var parseError))
            throw new HandleException(ResponseCode.InvalidCredential, $"Invalid credential: identity handle '{identity.Handle}': {parseError.Message}");

        var cacheKey = identity.Index + ":" + id.Key;
        throttle?.ThrowIfLocked(cacheKey, source, surface);

        var stored = await _store.GetAsync(id.Key, cancellationToken).ConfigureAwait(false);
        HandleValue? key = null;
        if (stored?.Data is { } data)
        {
            foreach (var v in HandleJsonReader.ReadStored(data))
                if (v.Index == identity.Index)
                    key = v;
        }
        if (key is null || !string.Equals(key.Type, WellKnown.HsSecKey, StringComparison.OrdinalIgnoreCase) || key.Data.Text is not { } hash)
        {
            if (throttle is not null)
                await throttle.RecordFailureAsync(cacheKey, source, surface, cancellationToken).ConfigureAwait(false);
            throw new HandleException(ResponseCode.InvalidCredential, $"Invalid credential: no secret key at {identity}");
        }

        var mac = HMACSHA256.HashData(_macKey, Encoding.UTF8.GetBytes(secret));
        var storeHoldsFailures = false;
        if (!(_verified.TryGetValue(cacheKey, out var memo) && memo.StoredHash == hash && CryptographicOperations.FixedTimeEquals(memo.Mac, mac)))
        {
            if (throttle is not null)
                storeHoldsFailures = await throttle.ThrowIfLockedInStoreAsync(cacheKey, source, surface, cancellationToken).ConfigureAwait(false);
            if (!SecretHasher.Verify(secret, hash))
            {
                if (throttle is not null)
                    await throttle.RecordFailureAsync(cacheKey, source, surface, cancellationToken).ConfigureAwait(false);
                throw new HandleException(ResponseCode.AuthenticationFailed, $"Authentication failed for {identity}");
            }
            _verified[cacheKey] = (hash, mac);
        }
        if (throttle is not null)
            await throttle.RecordSuccessAsync(cacheKey, storeHoldsFailures, cancellationToken).ConfigureAwait(false);

        return PrincipalFor(identity, id);
    }

    /// <summary>
    /// The principal of an identity already authenticated some other way (a token issued after
    /// <see cref="VerifyAsync"/> succeeded), without the secret.
    /// </summary>
    public Principal PrincipalFor(HandleIdentity identity)
    {
        if (!IdentifierParser.TryParse(identity.Handle, _node.Rules, out var id, out var parseError))
            throw new HandleException(ResponseCode.InvalidCredential, $"Invalid credential: identity handle '{identity.Handle}': {parseError.Message}");
        return PrincipalFor(identity, id);
    }

    private Principal PrincipalFor(HandleIdentity identity, Identifier id)
    {
        var isAdmin = identity.Index == WellKnown.CredentialIndex && id.Key == _node.AdminHandle;
        return Principal.ForHandleIdentity(identity, id.Key, id.Prefix, isAdmin);
    }
}
