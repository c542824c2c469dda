// The raw floor for cold resolves on the embedded store (loadtests/scale.sh, IDNODE_SCALE_STORE=sqlite):
// primary-key selects of uniformly random stored identifiers, with the node's own statement, connection
// settings and column reads (SqliteRecordStore.GetAsync), and nothing else: no HTTP, no decoding.
// Usage: SqliteFloor <database> <identifier count> <key format, e.g. 88.999/SCALE-{0:D8}> [threads 2] [seconds 10]
// Prints one line: "FLOOR selects=N seconds=S rate=R cpu_us=C" (CPU microseconds of this process per select).
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: SqliteFloor <database> <identifier count> <key format> [threads] [seconds]");
    return 2;
}
var path = args[0];
var count = int.Parse(args[1], CultureInfo.InvariantCulture);
var format = args[2];
var threads = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
var seconds = args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 10;

string version;
{
    using var c = new SqliteConnection($"Data Source={path}");
    c.Open();
    using var v = c.CreateCommand();
    v.CommandText = "SELECT sqlite_version();";
    version = (string)v.ExecuteScalar()!;
}
var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 30 }.ToString();
long total = 0;
var stop = 0;
var ready = new Barrier(threads + 1);
var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
{
    using var c = new SqliteConnection(connectionString);
    c.Open();
    using (var pragma = c.CreateCommand())
    {
        // The node's reader connections are opened with the same PRAGMAs.
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=OFF;";
        pragma.ExecuteNonQuery();
    }
    using var get = c.CreateCommand();
    get.CommandText = "SELECT handle, version, data, updated_at FROM handles WHERE key = $k;";
    var k = get.Parameters.Add("$k", SqliteType.Text);
    get.Prepare();
    var random = new Random(t * 7919 + 1);
    long n = 0, bytes = 0;
    ready.SignalAndWait();
    while (Volatile.Read(ref stop) == 0)
    {
        k.Value = string.Format(CultureInfo.InvariantCulture, format, random.Next(count));
        using var r = get.ExecuteReader();
        if (!r.Read())
            throw new InvalidOperationException($"{k.Value} is not stored");
        _ = r.GetString(0);
        _ = r.GetInt64(1);
        bytes += ((byte[])r.GetValue(2)).Length;
        _ = r.GetInt64(3);
        n++;
    }
    Interlocked.Add(ref total, n);
    GC.KeepAlive(bytes);
}) { IsBackground = true }).ToList();
workers.ForEach(w => w.Start());
ready.SignalAndWait();
var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
var clock = Stopwatch.StartNew();
Thread.Sleep(TimeSpan.FromSeconds(seconds));
Volatile.Write(ref stop, 1);
workers.ForEach(w => w.Join());
var elapsed = clock.Elapsed.TotalSeconds;
var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"FLOOR selects={total} seconds={elapsed:F2} rate={total / elapsed:F0} cpu_us={cpu / Math.Max(1, total):F1} threads={threads} sqlite={version}"));
return 0;
