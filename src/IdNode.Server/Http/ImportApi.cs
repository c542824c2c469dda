using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Json;
using IdNode.Core.Auth;
using IdNode.Core.Ports;
using IdNode.Core.Records;
using IdNode.Core.Registry;
using IdNode.Core.Services;
using IdNode.Server.Snms;
using Microsoft.AspNetCore.Http.Features;

namespace IdNode.Server.Http;

/// <summary>
/// <c>POST /api/import</c>: NDJSON, one identifier per line as Handle JSON
/// (<c>{"handle":"88.999.1/x","values":[...]}</c>), any number of lines. The body is read as a
/// stream and written in chunks through <see cref="RecordService.ImportChunkAsync"/> (binary COPY
/// on PostgreSQL), so memory holds one chunk whatever the upload's size. Each chunk commits on its
/// own: when the upload breaks off, the chunks before it stay, and resending the whole file is
/// safe (identical items succeed). <c>?overwrite=true</c> replaces existing records.
/// </summary>
public static class ImportApi
{
    public const int ChunkSize = 1000;
    public const int MaxLineBytes = 1024 * 1024;
    public const int MaxReportedErrors = 1000;

    /// <summary>The CSV header: one Handle value per row, <c>data</c> stored as a string value.</summary>
    public static readonly string[] CsvColumns = ["handle", "index", "type", "data"];

    public static IEndpointRouteBuilder MapImport(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/import", ImportAsync);
        return app;
    }

    private static async Task ImportAsync(HttpContext context, RecordService records, TokenService tokens, AuditLog audit)
    {
        Principal principal;
        try
        {
            principal = await tokens.AuthenticateAsync(context.Request.Headers.Authorization.ToString(), ClientAddress.Of(context), context.RequestAborted)
                        ?? throw new HandleException(ResponseCode.AuthenticationNeeded, "Not logged in: send Authorization: Bearer <token> or Basic");
        }
        catch (HandleException e)
        {
            await SnmsEnvelope.ErrorAsync(context, e);
            return;
        }
        // An import is as long as it is: the 30 MB default request limit is for ordinary calls.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = null;
        var overwrite = context.Request.Query["overwrite"] is { Count: > 0 } o && o.ToString() is "true" or "" or "yes";

        // Two chunks: one being filled by the parser while the other is written, so parsing and
        // the store's COPY overlap (measured: the import spent about half its time waiting for
        // one or the other). Memory stays two chunks whatever the upload's size.
        var chunk = new Chunk();
        var writing = new Chunk();
        Task<IReadOnlyList<BatchPutOutcome>>? inFlight = null;
        var errors = new List<(long Line, string Handle, HandleException Error)>();
        long line = 0, accepted = 0, created = 0, rejected = 0;
        var reader = context.Request.BodyReader;

        // Finishes the chunk being written (tallied here, on the parsing side, so the counters have
        // one writer), then starts the one just filled. Chunks commit in order: a key repeated in
        // the next chunk is written after this one's.
        async Task CompleteAsync()
        {
            if (inFlight is null)
                return;
            var running = inFlight;
            inFlight = null;
            var outcomes = await running;
            for (var i = 0; i < outcomes.Count; i++)
            {
                if (outcomes[i].Error is { } e)
                    Reject(writing.Lines[i], writing.Items[i].Id.Display, e);
                else
                {
                    accepted++;
                    if (outcomes[i].Result.Created)
                        created++;
                }
            }
            writing.Clear();
        }

        async Task FlushAsync()
        {
            await CompleteAsync();
            if (chunk.Items.Count == 0)
                return;
            (chunk, writing) = (writing, chunk);
            inFlight = records.ImportChunkAsync(writing.Items, overwrite, principal, context.RequestAborted);
        }

        void Reject(long at, string handle, HandleException e)
        {
            rejected++;
            if (errors.Count < MaxReportedErrors)
                errors.Add((at, handle, e));
        }

        // CSV: consecutive rows with the same handle are one identifier; a bad row rejects that
        // identifier as a whole (storing it without the row would store something never sent).
        var csv = context.Request.ContentType is { } contentType && contentType.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase);
        var headerSeen = false;
        var fields = new List<string>(CsvColumns.Length);
        string? recordHandle = null;
        Identifier recordId = default;
        List<HandleValue>? recordValues = null;
        long recordLine = 0;
        (long Line, HandleException Error)? recordError = null;

        void EndRecord()
        {
            if (recordHandle is null)
                return;
            if (recordError is { } bad)
                Reject(bad.Line, recordHandle, bad.Error);
            else
            {
                chunk.Items.Add(new BatchPutItem(recordId, recordValues!));
                chunk.Lines.Add(recordLine);
            }
            recordHandle = null;
        }

        void ParseCsv(ReadOnlySequence<byte> bytes)
        {
            line++;
            var text = System.Text.EncodingExtensions.GetString(System.Text.Encoding.UTF8, bytes).TrimEnd('\r');
            if (text.Length == 0)
                return;
            var problem = CsvLine.Split(text, fields);
            if (!headerSeen)
            {
                headerSeen = true;
                if (problem is not null || !fields.Select(f => f.Trim()).SequenceEqual(CsvColumns, StringComparer.OrdinalIgnoreCase))
                    throw new HandleException(ResponseCode.ProtocolError, $"line {line}: the first line must be the header {string.Join(',', CsvColumns)}");
                return;
            }
            var handle = fields.Count > 0 ? fields[0].Trim() : "";
            if (handle != recordHandle)
            {
                EndRecord();
                recordHandle = handle;
                recordLine = line;
                recordValues = [];
                recordError = IdentifierParser.TryParse(handle, records.Node.Rules, out recordId, out var idError)
                    ? null
                    : (line, new HandleException(ResponseCode.InvalidHandle, $"line {line}: {idError.Message}"));
            }
            if (recordError is not null)
                return;
            var index = 0;
            if (problem is null && fields.Count != CsvColumns.Length)
                problem = $"{fields.Count} fields, expected {CsvColumns.Length} ({string.Join(',', CsvColumns)})";
            else if (problem is null && !(int.TryParse(fields[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out index) && index > 0))
                problem = $"index must be a positive integer (got '{fields[1]}')";
            else if (problem is null && fields[2].Trim().Length == 0)
                problem = "type is empty";
            if (problem is not null)
            {
                recordError = (line, new HandleException(ResponseCode.InvalidValue, $"line {line}: {problem}; {handle} not imported"));
                return;
            }
            recordValues!.Add(new HandleValue(index, fields[2].Trim(), ValueData.FromString(fields[3])));
        }

        void Parse(ReadOnlySequence<byte> bytes)
        {
            if (csv)
            {
                ParseCsv(bytes);
                return;
            }
            line++;
            if (bytes.Length == 0 || bytes.Length == 1 && bytes.FirstSpan[0] == (byte)'\r')
                return;
            string? handle = null;
            try
            {
                var values = HandleJsonReader.ReadBody(bytes.ToArray(), out handle);
                if (handle is null)
                    throw new HandleException(ResponseCode.InvalidHandle, "each line needs \"handle\" and \"values\"");
                if (!IdentifierParser.TryParse(handle, records.Node.Rules, out var id, out var error))
                    throw new HandleException(ResponseCode.InvalidHandle, error.Message);
                chunk.Items.Add(new BatchPutItem(id, values));
                chunk.Lines.Add(line);
            }
            catch (HandleException e)
            {
                Reject(line, handle ?? "", e);
            }
        }

        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(context.RequestAborted);
                var buffer = result.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } end)
                {
                    Parse(buffer.Slice(0, end));
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                    if (chunk.Items.Count == ChunkSize)
                        await FlushAsync();
                }
                if (buffer.Length > MaxLineBytes)
                    throw new HandleException(ResponseCode.ProtocolError, $"line {line + 1}: longer than {MaxLineBytes} bytes");
                if (result.IsCompleted)
                {
                    if (buffer.Length > 0)
                        Parse(buffer);
                    reader.AdvanceTo(buffer.End);
                    EndRecord();
                    break;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
            await FlushAsync(); // starts the last chunk
            await CompleteAsync();
        }
        catch (HandleException e)
        {
            // The chunk already being written is part of "accepted so far".
            try
            {
                await CompleteAsync();
            }
            catch (StoreUnavailableException)
            {
                // Reported as "resend": the count below then leaves that chunk out.
            }
            await SnmsEnvelope.ErrorAsync(context, new HandleException(e.Code, $"{e.Message} (after {accepted} accepted, {rejected} rejected)"));
            return;
        }
        catch (StoreUnavailableException e)
        {
            await SnmsEnvelope.ErrorAsync(context, new HandleException(ResponseCode.ServerTooBusy, $"{StoreErrors.Busy(e).Message} (after {accepted} accepted; resend the file)"));
            return;
        }

        audit.Record(principal.Name, "import", $"{line} lines", null, principal.EnterpriseId, rejected == 0 ? AuditEntry.Ok : AuditEntry.Failed, $"{accepted} accepted, {rejected} rejected");
        await SnmsEnvelope.WriteAsync(context, rejected == 0 ? SnmsStatus.Ok : SnmsStatus.Business, rejected == 0 ? "success" : $"{rejected} lines rejected", json =>
        {
            json.WriteStartObject();
            json.WriteNumber("lines", line);
            json.WriteNumber("accepted", accepted);
            json.WriteNumber("created", created);
            json.WriteNumber("rejected", rejected);
            json.WriteStartArray("errors");
            foreach (var (at, handle, error) in errors)
            {
                json.WriteStartObject();
                json.WriteNumber("line", at);
                json.WriteString("handle", handle);
                json.WriteNumber("responseCode", (int)error.Code);
                json.WriteString("message", error.Message);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private sealed class Chunk
    {
        public List<BatchPutItem> Items { get; } = new(ChunkSize);
        public List<long> Lines { get; } = new(ChunkSize);

        public void Clear()
        {
            Items.Clear();
            Lines.Clear();
        }
    }
}
