using Grpc.Core;
using IdNode.Core.Auth;
using IdNode.Grpc.V1;

namespace IdNode.Server.Grpc;

public sealed partial class RegistryService
{
    /// <summary>
    /// Items per store transaction. Memory stays flat whatever the stream's length: at most one
    /// chunk (plus one incoming message) is held; 1000 amortises the commit without making one
    /// transaction long enough to stall other writers noticeably.
    /// </summary>
    public const int ImportChunkSize = 1000;

    /// <summary>Rejections reported with their reason; beyond this only counted, so a bad file cannot grow the summary without bound.</summary>
    public const int MaxReportedRejections = 1000;

    public override async Task<ImportSummary> Import(IAsyncStreamReader<ImportRequest> requestStream, ServerCallContext context)
    {
        var principal = await authenticator.RequireAsync(context);
        var summary = new ImportSummary();
        var chunk = new Batch(ImportChunkSize);
        var results = new RegisterResult[ImportChunkSize];
        var count = 0;
        var overwrite = false;
        long ordinal = 0;
        var ct = context.CancellationToken;

        await foreach (var message in requestStream.ReadAllAsync(ct))
        {
            // Items of one chunk share one overwrite flag: a message that changes it starts a new chunk.
            if (message.Overwrite != overwrite && count > 0)
                count = await FlushAsync(chunk, results, count, overwrite, principal, summary, ct);
            overwrite = message.Overwrite;
            foreach (var item in message.Items)
            {
                chunk.Add(item, count++, ordinal++, node, results);
                if (count == ImportChunkSize)
                    count = await FlushAsync(chunk, results, count, overwrite, principal, summary, ct);
            }
        }
        if (count > 0)
            await FlushAsync(chunk, results, count, overwrite, principal, summary, ct);
        return summary;
    }

    private async Task<int> FlushAsync(Batch chunk, RegisterResult[] results, int count, bool overwrite, Principal principal, ImportSummary summary, CancellationToken ct)
    {
        var outcomes = await records.ImportChunkAsync(chunk.Items, overwrite, principal, ct);
        chunk.Complete(outcomes, results);
        for (var i = 0; i < count; i++)
        {
            var r = results[i];
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
            results[i] = null!;
        }
        chunk.Clear();
        return 0;
    }
}
