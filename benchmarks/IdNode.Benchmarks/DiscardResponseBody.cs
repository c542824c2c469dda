using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace IdNode.Benchmarks;

/// <summary>
/// A response body that accepts bytes and drops them, reusing one buffer, so the middleware
/// benchmark measures the middleware and not a transport.
/// </summary>
public sealed class DiscardResponseBody : PipeWriter, IHttpResponseBodyFeature
{
    private readonly byte[] _buffer = new byte[64 * 1024];

    public long Written { get; private set; }

    public Stream Stream => throw new NotSupportedException("The hot path writes to the PipeWriter.");
    public PipeWriter Writer => this;

    public void DisableBuffering() { }
    public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task CompleteAsync() => Task.CompletedTask;

    public override void Advance(int bytes) => Written += bytes;
    public override void CancelPendingFlush() { }
    public override void Complete(Exception? exception = null) { }
    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => default;
    public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer;
    public override Span<byte> GetSpan(int sizeHint = 0) => _buffer;
}
