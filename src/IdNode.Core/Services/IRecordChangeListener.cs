namespace IdNode.Core.Services;

/// <summary>Told after a write has committed, so caches can drop the old answer (L1 directly; Redis and other nodes in production).</summary>
public interface IRecordChangeListener
{
    void OnCommitted(string key, long version);
}
