using IdNode.Core.Services;

namespace IdNode.Server.Grpc;

/// <summary>
/// Wakes change-feed watchers when this process commits a write, so a Watch follows local
/// changes at once; writes by other processes on a shared store are found by the watchers'
/// polling. Carries no data: watchers always re-read the change log, the only source of truth.
/// </summary>
public sealed class ChangeSignal : IRecordChangeListener
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next commit after this call. Take it before reading the log so no commit falls between.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void OnCommitted(string key, long version)
        => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>One wake-up for a whole import chunk: watchers re-read the log anyway.</summary>
    public ValueTask OnCommittedManyAsync(IReadOnlyList<RecordCommit> commits)
    {
        if (commits.Count > 0)
            OnCommitted(commits[0].Key, commits[0].Version);
        return ValueTask.CompletedTask;
    }
}
