using IdNode.Core.Handles;
using IdNode.Core.Ports;

namespace IdNode.Server.Http;

/// <summary>A store outage as the client sees it: rc 3 "server too busy" (HTTP 503), so it retries later.</summary>
public static class StoreErrors
{
    public const string Message = "store unavailable, retry later";

    // The store's own message names hosts and sockets: it goes to the log, not to clients.
    public static HandleException Busy(StoreUnavailableException e) => new(ResponseCode.ServerTooBusy,
        e.OutcomeUnknown ? "store unavailable while committing: the write may or may not have been applied, read it back or retry later" : Message);
}
