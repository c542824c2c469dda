using System.Net.Sockets;
using IdNode.Core.Ports;
using Npgsql;

namespace IdNode.Storage.Postgres;

public sealed partial class PostgresRecordStore
{
    /// <summary>
    /// Failures that mean "the server is not there or not accepting work", as opposed to a bug in
    /// a statement (which stays a <see cref="PostgresException"/> and surfaces as a 500).
    /// </summary>
    private static bool IsUnavailable(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)    // connection exception
            || pg.SqlState.StartsWith("53", StringComparison.Ordinal)                     // insufficient resources (too many connections)
            || pg.SqlState.StartsWith("58", StringComparison.Ordinal)                     // system error
            || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow,
        // Npgsql raises connection refused, broken streams, timeouts and an exhausted pool as
        // NpgsqlException (not PostgresException).
        NpgsqlException => true,
        _ => false,
    };

    /// <summary>
    /// One retry (<paramref name="retries"/>), only for a pooled connection that died while idle (the server restarted since it
    /// was opened) — the next one from a cleared pool is fresh. A refused connection is not retried:
    /// the server is down, and the caller should hear so at once. A failure while committing is
    /// never retried: the commit may have happened.
    /// </summary>
    private bool ShouldRetry(Exception e, int attempt, bool committing, int retries = 1)
    {
        // Every idle connection in the pool was opened to the server that just went away.
        _dataSource.Clear();
        _readSource.Clear();
        if (committing || attempt > retries)
            return false;
        return e is PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown }
            // Multiplexed reads: the other commands queued on a connection the server terminated
            // fail with a wrapper ("a previous command on this connection caused an error").
            || e is NpgsqlException { InnerException: PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown } }
            || (e is NpgsqlException and not PostgresException && e.InnerException is IOException or EndOfStreamException
                && !IsRefused(e));
    }

    private static bool IsRefused(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            if (inner is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable })
                return true;
        return false;
    }

    /// <summary>
    /// After PostgreSQL rejects a statement in the middle of a pipelined batch, Npgsql 10.0.3 can
    /// leave that connection's auto-prepared statements out of step with the server: the next
    /// command on it fails with "Received unexpected backend message DataRow" (the store tests
    /// reproduce it). Such errors are rare (a bug or bad data), so the cure is blunt: drop the
    /// pooled connections, busy ones included when they come back, and let the pool open fresh ones.
    /// </summary>
    private void DiscardConnections()
    {
        _dataSource.Clear();
        _readSource.Clear();
    }

    private static StoreUnavailableException Unavailable(Exception e, bool committing) => committing
        ? new StoreUnavailableException($"store unavailable while committing, the write may or may not have been applied: {e.Message}", e, outcomeUnknown: true)
        : new StoreUnavailableException($"store unavailable, retry later: {e.Message}", e);
}
