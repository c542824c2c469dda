using System.Diagnostics.CodeAnalysis;

namespace IdNode.Core.Handles;

/// <summary>A refusal with the Handle response code and a message naming what is wrong. Mapped to HTTP/gRPC status at the edge.</summary>
public class HandleException : Exception
{
    public ResponseCode Code { get; }

    public HandleException(ResponseCode code, string message) : base(message) => Code = code;

    public HandleException() : this(ResponseCode.Error, "error") { }
    public HandleException(string message) : this(ResponseCode.Error, message) { }
    public HandleException(string message, Exception inner) : base(message, inner) => Code = ResponseCode.Error;

    [DoesNotReturn]
    public static void Throw(ResponseCode code, string message) => throw new HandleException(code, message);
}
