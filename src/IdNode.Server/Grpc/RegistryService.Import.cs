using Grpc.Core;
using IdNode.Core.Node;
using IdNode.Core.Services;
using IdNode.Grpc.V1;

namespace IdNode.Server.Grpc;

public sealed partial class RegistryService
{
    /// <summary>
    /// Items per store transaction. Memory stays flat whatever the stream's length: at most two
    /// chunks (plus one incoming message) are held; 1000 amortises the commit without making one
    /// transaction long enough to stall other writers noticeably.
    /// </summary>
    public const int ImportChunkSize = 1000;

    /// <summary>Rejections reported with their reason; beyond this only counted, so a bad file cannot grow the summary without bound.</summary>
    public const int MaxReportedRejections = 1000;

    public override async Task<ImportSummary> Import(IAsyncStreamReader<ImportRequest> requestStream, ServerCallContext context)
    {
        var principal = await authenticator.RequireAsync(context);
        var summary = new ImportSummary();
        // Two chunks: one filled from the stream while the other is written, so decoding and the
        // store's COPY overlap; memory stays two chunks whatever the stream's length.
        var filling = new ImportChunk();
        var writing = new ImportChunk();
        Task<IReadOnlyList<BatchPutOutcome>>? inFlight = null;
        var overwrite = false;
        long ordinal = 0;
        var ct = context.CancellationToken;

        // Tallies the chunk being written (here, so the summary has one writer), then starts the
        // one just filled. Chunks commit in order: a key repeated later is written after this one.
        async Task CompleteAsync()
        {
            if (inFlight is null)
                return;
            var running = inFlight;
            inFlight = null;
            writing.Complete(await running, summary);
        }

        async Task FlushAsync()
        {
            await CompleteAsync();
            if (filling.Count == 0)
                return;
            (filling, writing) = (writing, filling);
            inFlight = records.ImportChunkAsync(writing.Batch.Items, writing.Overwrite, principal, ct);
        }

        await foreach (var message in requestStream.ReadAllAsync(ct))
        {
            // Items of one chunk share one overwrite flag: a message that changes it starts a new chunk.
            if (message.Overwrite != overwrite && filling.Count > 0)
                await FlushAsync();
            overwrite = message.Overwrite;
            foreach (var item in message.Items)
            {
                filling.Add(item, ordinal++, overwrite, node);
                if (filling.Count == ImportChunkSize)
                    await FlushAsync();
            }
        }
        await FlushAsync();
        await CompleteAsync();
        return summary;
    }

    /// <summary>One chunk of an import: the decoded items, and a result per received item (decoding failures included).</summary>
    private sealed class ImportChunk
    {
        public Batch Batch { get; } = new(ImportChunkSize);
        private readonly RegisterResult[] _results = new RegisterResult[ImportChunkSize];

        public int Count { get; private set; }
        public bool Overwrite { get; private set; }

        public void Add(RegisterItem item, long ordinal, bool overwrite, NodeSettings node)
        {
            Overwrite = overwrite;
            Batch.Add(item, Count++, ordinal, node, _results);
        }

        public void Complete(IReadOnlyList<BatchPutOutcome> outcomes, ImportSummary summary)
        {
            Batch.Complete(outcomes, _results);
            for (var i = 0; i < Count; i++)
            {
                var r = _results[i];
                if (r.Status.Code == (int)StatusCode.OK)
                {
                    summary.Accepted++;
                    if (r.Created)
                        summary.Created++;
                }
                else
                {
                    summary.RejectedCount++;
                    if (summary.Rejected.Count < MaxReportedRejections)
                        summary.Rejected.Add(r);
                }
                _results[i] = null!;
            }
            Batch.Clear();
            Count = 0;
        }
    }
}
