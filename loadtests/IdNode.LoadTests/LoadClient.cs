using System.Net;
using System.Net.Http.Headers;

namespace IdNode.LoadTests;

/// <summary>
/// One HttpClient over one SocketsHttpHandler for the whole run: HTTP/1.1, at most N pooled
/// connections (so "64 connections" means the same thing as wrk -c64), no cookies, no proxy.
/// </summary>
public sealed class LoadClient : IDisposable
{
    // Responses are read into this and dropped; one per thread because requests run concurrently.
    [ThreadStatic] private static byte[]? t_sink;

    private readonly HttpClient _http;
    private readonly AuthenticationHeaderValue? _admin;

    public Uri BaseAddress { get; }

    public LoadClient(Uri baseAddress, int connections, string prefix, string adminSecret)
    {
        BaseAddress = baseAddress;
        var handler = Connections.Handler();
        handler.MaxConnectionsPerServer = connections;
        _http = new HttpClient(handler)
        {
            BaseAddress = baseAddress,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (adminSecret.Length > 0)
            _admin = new AuthenticationHeaderValue("Basic", Connections.AdminBasic(prefix, adminSecret));
    }

    public bool CanWrite => _admin is not null;

    public Uri HandleUri(string handle) => new(BaseAddress, "api/handles/" + handle);

    /// <summary>GET; true on 200. The body is read to the end (that is part of the cost) and dropped.</summary>
    public async ValueTask<bool> GetAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var sink = t_sink ??= new byte[16 * 1024];
            while (await stream.ReadAsync(sink, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>PUT of a record body with the admin credential; true on 2xx.</summary>
    public async ValueTask<bool> PutAsync(Uri uri, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = _admin ?? throw new InvalidOperationException("Writes need --admin-secret");
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    /// <summary>Registers the identifiers (idempotent: an unchanged PUT succeeds again), failing loudly with the node's answer.</summary>
    public async Task RegisterAsync(IReadOnlyList<string> handles, Func<int, byte[]> body, int parallelism, CancellationToken cancellationToken)
    {
        var failed = 0;
        string? firstError = null;
        await Parallel.ForAsync(0, handles.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, HandleUri(handles[i])) { Content = new ByteArrayContent(body(i)) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = _admin ?? throw new InvalidOperationException("Registering identifiers needs --admin-secret");
            using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode && Interlocked.Increment(ref failed) == 1)
                firstError = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}";
        }).ConfigureAwait(false);
        if (failed > 0)
            throw new InvalidOperationException($"Registering {failed} of {handles.Count} identifiers failed; first answer: {firstError}");
    }

    public void Dispose() => _http.Dispose();
}
