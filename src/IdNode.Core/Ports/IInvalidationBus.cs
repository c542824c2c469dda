using IdNode.Core.Services;

namespace IdNode.Core.Ports;

/// <summary>
/// Fan-out of "version V of key K is committed" to every node (Redis pub/sub in production).
/// Delivery is at most once: messages sent while a node is disconnected are lost, which is why
/// nodes also follow the store's change log.
/// </summary>
public interface IInvalidationBus
{
    /// <summary>Sends the message to every subscribed node, this one included. False when it could not be sent.</summary>
    ValueTask<bool> PublishAsync(string key, long version);

    /// <summary>
    /// <see cref="PublishAsync"/> for every commit, in as few messages as the bus allows; subscribers
    /// see one handler call per commit either way. False when any message could not be sent.
    /// </summary>
    async ValueTask<bool> PublishManyAsync(IReadOnlyList<RecordCommit> commits)
    {
        var sends = new Task<bool>[commits.Count];
        for (var i = 0; i < commits.Count; i++)
            sends[i] = PublishAsync(commits[i].Key, commits[i].Version).AsTask();
        var all = true;
        foreach (var ok in await Task.WhenAll(sends).ConfigureAwait(false))
            all &= ok;
        return all;
    }

    /// <summary>Registers the handler for every message; it runs on any thread and must be quick.</summary>
    void Subscribe(Action<string, long> handler);

    /// <summary>Whether this node currently receives messages.</summary>
    bool IsConnected { get; }

    /// <summary>Grows each time the connection was lost, i.e. each time messages may have been missed.</summary>
    long GapCount { get; }
}
