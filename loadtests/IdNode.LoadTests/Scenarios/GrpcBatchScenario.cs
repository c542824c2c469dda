using Grpc.Core;
using Grpc.Net.Client;
using IdNode.Grpc.V1;

namespace IdNode.LoadTests.Scenarios;

/// <summary>
/// Batch registration through gRPC Registry.BatchRegister: every call creates
/// <see cref="LoadOptions.BatchSize"/> new identifiers (unique per run) with the admin credential,
/// the record shape of <see cref="Records"/>. --connections callers share one channel (HTTP/2
/// streams of one connection, as a bulk client would); items/s is the figure to read, the
/// latencies are per call. A call counts as an error unless every item came back created.
/// </summary>
public sealed class GrpcBatchScenario : Scenario, IDisposable
{
    private readonly LoadOptions _options;
    private readonly GrpcChannel _channel;
    private readonly Registry.RegistryClient _client;
    private readonly Metadata _admin;
    private readonly string _run = DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
    // Numbers the calls itself: the runner's sequence starts again after the warm-up.
    private long _calls;

    public GrpcBatchScenario(LoadOptions options)
    {
        _options = options;
        // 2000 items of ~600 bytes each way; the default 4 MB receive limit is close.
        _channel = GrpcChannels.Create(options.GrpcTarget, maxMessageBytes: 64 * 1024 * 1024);
        _client = new Registry.RegistryClient(_channel);
        _admin = new Metadata { { "authorization", "Basic " + Connections.AdminBasic(options.Prefix, options.AdminSecret) } };
    }

    public override string Name => "grpc-batch";

    public override string? SkipReason => _options.AdminSecret.Length > 0 ? null : "needs --admin-secret";

    public override int ItemsPerRequest => _options.BatchSize;

    public override async ValueTask<bool> SendAsync(long sequence, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        var request = new BatchRegisterRequest();
        for (var i = 0; i < _options.BatchSize; i++)
        {
            var handle = $"{_options.Prefix}/LOADTEST-B{_run}-{call:D7}-{i:D4}";
            var item = new RegisterItem { Handle = handle };
            item.Values.Add(Values(handle, sequence));
            request.Items.Add(item);
        }
        try
        {
            var response = await _client.BatchRegisterAsync(request, _admin, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (response.Results.Count != _options.BatchSize)
                return false;
            foreach (var r in response.Results)
            {
                if (r.Status.Code != 0 || !r.Created)
                    return false;
            }
            return true;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    /// <summary>The values of <see cref="Records.Body"/>, as protobuf.</summary>
    private static IEnumerable<HandleValue> Values(string handle, long revision)
    {
        yield return Text(1, "URL", "https://example.com/products/" + handle);
        yield return Text(1001, "TEMPLATE", "pump-v3");
        yield return Text(2000, "manufacturer", "Example Pump Works Co., Ltd.");
        yield return Text(2001, "model", "CP-150-40");
        yield return Text(2002, "batch", "B0042");
        yield return Text(2003, "productionDate", "2026-03-14");
        yield return Text(2004, "revision", revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static HandleValue Text(int index, string type, string text)
        => new() { Index = index, Type = type, Data = new ValueData { Text = text } };

    public void Dispose() => _channel.Dispose();
}
