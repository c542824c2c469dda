using IdNode.Core.Auth;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Json;
using IdNode.Core.Node;
using IdNode.Core.Ports;
using IdNode.Core.Records;
using IdNode.Core.Tests.Services;

namespace IdNode.Core.Tests.Auth;

public sealed class LoginThrottleTests
{
    private const string Secret = "right-secret";
    private readonly NodeSettings _node = new("88.999");
    private readonly InMemoryStore _store = new();
    private readonly ManualClock _clock = new();
    private readonly CredentialVerifier _verifier;
    private readonly LoginThrottle _throttle;

    public LoginThrottleTests()
    {
        _verifier = new CredentialVerifier(_store, _node);
        _throttle = new LoginThrottle(null, null, _clock);
        Assert.True(IdentifierParser.TryParse("88.999/ADMIN", _node.Rules, out var id, out _));
        var value = new HandleValue(300, WellKnown.HsSecKey, ValueData.FromString(SecretHasher.Hash(Secret, iterations: 1000)));
        _store.WriteAsync(new RecordWrite(id.Key, id.Display, id.Prefix, 0, HandleJsonWriter.Stored([value]), ChangeKind.Create, null)).GetAwaiter().GetResult();
    }

    private static HandleIdentity Identity(string text) => HandleIdentity.TryParse(text, out var i) ? i : throw new ArgumentException(text);

    private ValueTask<Principal> Verify(string identity, string secret, string? source = "10.0.0.1")
        => _verifier.VerifyAsync(Identity(identity), secret, _throttle, source, "auth.basic");

    [Fact]
    public async Task Five_failures_lock_the_identity_before_anything_is_read_or_hashed_and_the_lock_expires()
    {
        for (var i = 0; i < LoginThrottle.MaxFailures; i++)
            Assert.Equal(ResponseCode.AuthenticationFailed, (await Assert.ThrowsAsync<HandleException>(() => Verify("300:88.999/ADMIN", "guess-" + i).AsTask())).Code);

        var reads = _store.Gets;
        var locked = await Assert.ThrowsAsync<LoginLockedException>(() => Verify("300:88.999/ADMIN", Secret).AsTask());
        Assert.Equal(ResponseCode.AuthenticationFailed, locked.Code);
        Assert.Contains("locked until", locked.Message, StringComparison.Ordinal);
        Assert.Equal(LoginThrottle.LockDuration, locked.RetryAfter);
        // Another spelling of the same identity shares the count.
        await Assert.ThrowsAsync<LoginLockedException>(() => Verify("300%3A88.999/ADMIN", Secret).AsTask());
        // Refused without reading the stored hash, so without running PBKDF2.
        Assert.Equal(reads, _store.Gets);

        _clock.Advance(LoginThrottle.LockDuration - TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), (await Assert.ThrowsAsync<LoginLockedException>(() => Verify("300:88.999/ADMIN", Secret).AsTask())).RetryAfter);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await Verify("300:88.999/ADMIN", Secret)).IsNodeAdmin);
    }

    [Fact]
    public async Task A_success_resets_the_count_so_only_consecutive_failures_lock()
    {
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < LoginThrottle.MaxFailures - 1; i++)
                await Assert.ThrowsAsync<HandleException>(() => Verify("300:88.999/ADMIN", "guess").AsTask());
            Assert.True((await Verify("300:88.999/ADMIN", Secret)).IsNodeAdmin);
        }
    }

    [Fact]
    public async Task Many_names_from_one_source_lock_the_source_but_not_other_sources()
    {
        // Spraying: one guess per made-up identity never reaches a per-identity limit.
        for (var i = 0; i < LoginThrottle.MaxSourceFailures; i++)
            Assert.Equal(ResponseCode.InvalidCredential, (await Assert.ThrowsAsync<HandleException>(() => Verify($"300:88.999/user-{i}", "guess").AsTask())).Code);
        var locked = await Assert.ThrowsAsync<LoginLockedException>(() => Verify("300:88.999/ADMIN", Secret).AsTask());
        Assert.Contains("source 10.0.0.1", locked.Message, StringComparison.Ordinal);
        Assert.True((await Verify("300:88.999/ADMIN", Secret, source: "10.0.0.2")).IsNodeAdmin);
        _clock.Advance(LoginThrottle.LockDuration);
        Assert.True((await Verify("300:88.999/ADMIN", Secret)).IsNodeAdmin);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
