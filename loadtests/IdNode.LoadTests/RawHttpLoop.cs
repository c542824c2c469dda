using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using HdrHistogram;

namespace IdNode.LoadTests;

/// <summary>
/// <c>--client raw</c>: the cheapest HTTP/1.1 GET loop this generator can run, so its own cost
/// and scheduling stay out of the tail it reports. One thread owns everything: N non-blocking
/// sockets in one epoll set, the pre-built request bytes (sent as is), responses read until
/// Content-Length is satisfied, and (open loop) the pacing itself — it sleeps in
/// <c>epoll_pwait2</c> with a nanosecond timeout until either a response arrives or the next
/// request is due. No per-request allocation, no thread-pool hop, no task: what wrk2 does.
/// A request due while every connection is busy waits in a queue and counts from its due time.
/// Linux x64 only (epoll_event layout); HttpClient (<c>--client http</c>) stays the default.
/// With <c>--spin</c> the thread never sleeps (epoll timeout 0): on a VM whose idle vCPU halts
/// and is woken late by the host, each sleep would add that wake-up to the client's side of
/// every request (pacing and receive), which is not the server's latency.
/// </summary>
public static class RawHttpLoop
{
    private const long HighestMicros = 60_000_000;
    private const int EpollIn = 0x001;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const int EpollCloexec = 0x80000;
    private const int Eintr = 4;

    public static string? Unsupported =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64 ? null : "--client raw needs Linux x64 (epoll)";

    public static RunResult Run(LoadOptions options, string path, CancellationToken cancellationToken)
    {
        var host = options.Target.Host + ":" + options.Target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // What wrk sends: request line and Host, nothing else.
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n");
        var endpoint = new IPEndPoint(IPAddress.Parse(options.Target.Host), options.Target.Port);
        using var loop = new Loop(endpoint, request, options.Connections, options.Spin);
        if (options.Warmup > 0)
            loop.Run(open: false, options.Warmup, 0, cancellationToken);
        loop.Reset();
        var gcBefore = GC.CollectionCount(0);
        var pauseBefore = GC.GetTotalPauseDuration();
        var started = Stopwatch.GetTimestamp();
        loop.Run(options.Mode == "open", options.Duration, options.Rate, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var count = loop.Total.TotalCount;
        return new RunResult(options.Spin ? "http-hot-raw-spin" : "http-hot-raw", options.Mode, options.Connections, count, loop.Errors, count / elapsed, count / elapsed,
            Ms(loop.Total, 50), Ms(loop.Total, 90), Ms(loop.Total, 99), Ms(loop.Total, 99.9), loop.Total.TotalCount == 0 ? 0 : loop.Total.GetMaxValue() / 1000.0,
            loop.Lag.TotalCount == 0 ? 0 : loop.Lag.GetMean() / 1000.0, Ms(loop.Service, 99))
        {
            ServiceP50Ms = Ms(loop.Service, 50),
            ServiceP999Ms = Ms(loop.Service, 99.9),
            SendLagP99Ms = Ms(loop.Lag, 99),
            GeneratorGcs = GC.CollectionCount(0) - gcBefore,
            GeneratorGcPauseMs = (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds,
        };
    }

    private static double Ms(HistogramBase h, double percentile) => h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(percentile) / 1000.0;

    private static long Micros(long ticks) => Math.Clamp(ticks * 1_000_000 / Stopwatch.Frequency, 1, HighestMicros);

    private sealed class Connection
    {
        public Socket Socket = null!;
        public int Fd;
        public readonly byte[] Buffer = new byte[64 * 1024];
        public int Filled;
        public long Due;
        public long Sent;
        public bool Busy;
    }

    private sealed class Loop : IDisposable
    {
        private readonly IPEndPoint _endpoint;
        private readonly byte[] _request;
        private readonly Connection[] _connections;
        private readonly int[] _idle;
        private int _idleCount;
        private readonly Queue<long> _pending = new(1 << 16);
        private readonly EpollEvent[] _events;
        private readonly int _epoll;
        private readonly bool _spin;
        private bool _open;
        private long _end;

        /// <summary>From the due time (open loop) or the send (closed loop) to the last response byte.</summary>
        public LongHistogram Total = new(HighestMicros, 3);

        /// <summary>From the write to the socket to the last response byte.</summary>
        public LongHistogram Service = new(HighestMicros, 3);

        /// <summary>Open loop: how late after its due time the loop took each request up (sent or queued).</summary>
        public LongHistogram Lag = new(HighestMicros, 3);
        public long Errors;

        public Loop(IPEndPoint endpoint, byte[] request, int connections, bool spin)
        {
            _endpoint = endpoint;
            _spin = spin;
            _request = request;
            _epoll = epoll_create1(EpollCloexec);
            if (_epoll < 0)
                throw new InvalidOperationException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
            _connections = new Connection[connections];
            _idle = new int[connections];
            _events = new EpollEvent[connections];
            for (var i = 0; i < connections; i++)
            {
                _connections[i] = new Connection();
                Connect(i);
                _idle[_idleCount++] = i;
            }
        }

        public void Reset()
        {
            Total = new(HighestMicros, 3);
            Service = new(HighestMicros, 3);
            Lag = new(HighestMicros, 3);
            Errors = 0;
        }

        private void Connect(int index)
        {
            var c = _connections[index];
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Connect(_endpoint);
            socket.Blocking = false;
            c.Socket = socket;
            c.Fd = (int)socket.SafeHandle.DangerousGetHandle();
            c.Filled = 0;
            c.Busy = false;
            var ev = new EpollEvent { Events = EpollIn, Data = (ulong)index };
            if (epoll_ctl(_epoll, EpollCtlAdd, c.Fd, ref ev) != 0)
                throw new InvalidOperationException($"epoll_ctl failed: errno {Marshal.GetLastPInvokeError()}");
        }

        private void Reconnect(int index)
        {
            var c = _connections[index];
            var ev = default(EpollEvent);
            _ = epoll_ctl(_epoll, EpollCtlDel, c.Fd, ref ev);
            c.Socket.Dispose();
            Connect(index);
        }

        public void Run(bool open, double seconds, double rate, CancellationToken cancellationToken)
        {
            _open = open;
            _pending.Clear();
            var frequency = Stopwatch.Frequency;
            var start = Stopwatch.GetTimestamp() + frequency / 100;
            _end = start + (long)(seconds * frequency);
            var giveUp = _end + 30 * frequency;
            var interval = open ? frequency / rate : 0;
            long index = 0;
            var nextDue = start;
            var closedStarted = false;
            while (true)
            {
                var now = Stopwatch.GetTimestamp();
                if (open)
                {
                    while (nextDue <= now && nextDue < _end)
                    {
                        Lag.RecordValue(Math.Clamp((now - nextDue) * 1_000_000 / frequency, 0, HighestMicros));
                        if (_idleCount > 0)
                            Send(_idle[--_idleCount], nextDue);
                        else
                            _pending.Enqueue(nextDue);
                        index++;
                        nextDue = start + (long)(index * interval);
                    }
                    if (nextDue >= _end && _pending.Count == 0 && _idleCount == _connections.Length)
                        return;
                }
                else
                {
                    if (!closedStarted && now >= start)
                    {
                        closedStarted = true;
                        while (_idleCount > 0)
                        {
                            var t = Stopwatch.GetTimestamp();
                            Send(_idle[--_idleCount], t);
                        }
                    }
                    if (closedStarted && now >= _end && _idleCount == _connections.Length)
                        return;
                }
                if (now > giveUp || cancellationToken.IsCancellationRequested)
                {
                    // A server that stopped answering: what is still outstanding failed.
                    for (var i = 0; i < _connections.Length; i++)
                    {
                        if (_connections[i].Busy)
                        {
                            Errors++;
                            Reconnect(i);
                        }
                    }
                    Errors += _pending.Count;
                    _pending.Clear();
                    _idleCount = 0;
                    for (var i = 0; i < _connections.Length; i++)
                        _idle[_idleCount++] = i;
                    return;
                }
                long waitTicks;
                if (_spin)
                    waitTicks = 0;
                else if (open && nextDue < _end)
                    waitTicks = Math.Max(0, nextDue - now);
                else if (!closedStarted && !open)
                    waitTicks = Math.Max(0, start - now);
                else
                    waitTicks = frequency / 10;
                var nanos = (long)(waitTicks * (1e9 / frequency));
                var timeout = new Timespec { Seconds = nanos / 1_000_000_000, Nanoseconds = nanos % 1_000_000_000 };
                var n = epoll_pwait2(_epoll, _events, _events.Length, ref timeout, IntPtr.Zero);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Eintr)
                        continue;
                    throw new InvalidOperationException($"epoll_pwait2 failed: errno {errno}");
                }
                for (var e = 0; e < n; e++)
                    Readable((int)_events[e].Data);
            }
        }

        private void Send(int index, long due)
        {
            var c = _connections[index];
            c.Due = due;
            c.Busy = true;
            c.Sent = Stopwatch.GetTimestamp();
            var sent = c.Socket.Send(_request, SocketFlags.None, out var error);
            if (error != SocketError.Success || sent != _request.Length)
            {
                // A fresh loopback socket always takes ~60 bytes at once; anything else is a failed request.
                Errors++;
                Total.RecordValue(Micros(Stopwatch.GetTimestamp() - due));
                Reconnect(index);
                _idle[_idleCount++] = index;
            }
        }

        private void Readable(int index)
        {
            var c = _connections[index];
            while (true)
            {
                var received = c.Socket.Receive(c.Buffer.AsSpan(c.Filled), SocketFlags.None, out var error);
                if (error == SocketError.WouldBlock)
                    return;
                if (error != SocketError.Success || received == 0 || !c.Busy)
                {
                    // Closed by the server, or bytes nobody asked for.
                    Fail(index);
                    return;
                }
                c.Filled += received;
                var length = RawHttpResponse.TryParse(c.Buffer.AsSpan(0, c.Filled), out var status);
                if (length == RawHttpResponse.Incomplete)
                {
                    if (c.Filled == c.Buffer.Length)
                    {
                        Fail(index);
                        return;
                    }
                    continue;
                }
                if (length == RawHttpResponse.Malformed || length != c.Filled)
                {
                    Fail(index);
                    return;
                }
                var done = Stopwatch.GetTimestamp();
                Total.RecordValue(Micros(done - c.Due));
                Service.RecordValue(Micros(done - c.Sent));
                if (status != 200)
                    Errors++;
                c.Filled = 0;
                c.Busy = false;
                Next(index, done);
                return;
            }
        }

        private void Fail(int index)
        {
            var c = _connections[index];
            if (c.Busy)
            {
                Errors++;
                Total.RecordValue(Micros(Stopwatch.GetTimestamp() - c.Due));
            }
            Reconnect(index);
            Next(index, Stopwatch.GetTimestamp());
        }

        private void Next(int index, long now)
        {
            if (_open && _pending.Count > 0)
                Send(index, _pending.Dequeue());
            else if (!_open && now < _end)
                Send(index, now);
            else
                _idle[_idleCount++] = index;
        }

        public void Dispose()
        {
            foreach (var c in _connections)
                c?.Socket?.Dispose();
            _ = close(_epoll);
        }
    }

    // x86-64 layout: struct epoll_event is packed (12 bytes).
    [StructLayout(LayoutKind.Explicit, Size = 12)]
    private struct EpollEvent
    {
        [FieldOffset(0)] public uint Events;
        [FieldOffset(4)] public ulong Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code enabled for the project; four blittable calls do not justify it.
    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int epoll_create1(int flags);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int epoll_ctl(int epfd, int op, int fd, ref EpollEvent ev);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int epoll_pwait2(int epfd, [Out] EpollEvent[] events, int maxEvents, ref Timespec timeout, IntPtr sigmask);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int close(int fd);
#pragma warning restore SYSLIB1054
}
