namespace IdNode.Core.Ports;

/// <summary>
/// The store cannot be reached (down, restarting, refusing connections, pool exhausted). The
/// operation did not happen, or — when <see cref="OutcomeUnknown"/> — the connection broke while
/// committing, so a write may or may not be durable. The edge maps it to "server too busy" (rc 3,
/// HTTP 503) so clients retry; recovery is automatic once the store is back.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    public bool OutcomeUnknown { get; }

    public StoreUnavailableException() : base("store unavailable, retry later") { }
    public StoreUnavailableException(string message) : base(message) { }
    public StoreUnavailableException(string message, Exception inner) : base(message, inner) { }
    public StoreUnavailableException(string message, Exception inner, bool outcomeUnknown) : base(message, inner) => OutcomeUnknown = outcomeUnknown;
}
