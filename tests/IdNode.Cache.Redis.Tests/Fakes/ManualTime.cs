namespace IdNode.Cache.Redis.Tests.Fakes;

/// <summary>A clock that moves only when told (milliseconds).</summary>
public sealed class ManualTime : TimeProvider
{
    private long _ms = 1_000_000;

    public override long TimestampFrequency => 1000;
    public override long GetTimestamp() => Interlocked.Read(ref _ms);
    public void Advance(int ms) => Interlocked.Add(ref _ms, ms);
}
