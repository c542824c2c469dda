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

    /// <summary>
    /// The Handle error an endpoint answers with for a domain failure: the refusal itself, or a
    /// store outage as rc 3. Null for anything else (left to ErrorMiddleware).
    /// </summary>
    public static HandleException? AsHandleError(Exception e) => e switch
    {
        HandleException he => he,
        StoreUnavailableException su => Busy(su),
        _ => null,
    };
}
