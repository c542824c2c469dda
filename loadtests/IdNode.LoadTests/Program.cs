using IdNode.LoadTests;
using IdNode.LoadTests.Scenarios;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

// Enough threads from the start: the pool adds ~1-2 threads/s past its minimum, which would
// distort the first seconds of a 64-connection run.
ThreadPool.SetMinThreads(Math.Max(options.Connections, Environment.ProcessorCount), Environment.ProcessorCount);

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
using var client = new LoadClient(options.Target, options.Connections, options.Prefix, options.AdminSecret);
var scenario = Scenario.Create(options, client);
using var disposable = scenario as IDisposable;
if (scenario.SkipReason is { } reason)
{
    Console.WriteLine($"{scenario.Name}: skipped, {reason}");
    Console.WriteLine($"RESULT scenario={scenario.Name} status=skipped");
    return 0;
}

try
{
    await scenario.SetupAsync(cts.Token);
    RunResult result;
    if (options.Client == "raw")
    {
        if (RawHttpLoop.Unsupported is { } unsupported)
            throw new InvalidOperationException(unsupported);
        result = RawHttpLoop.Run(options, client.HandleUri(options.HotHandle).PathAndQuery, cts.Token);
    }
    else
    {
        result = await LoadRunner.RunAsync(scenario, options, cts.Token);
    }
    Console.WriteLine(result.Table());
    Console.WriteLine(result.Machine());
    return result.Errors > 0 ? 1 : 0;
}
catch (Exception e) when (e is InvalidOperationException or HttpRequestException or System.Net.Sockets.SocketException)
{
    Console.Error.WriteLine($"{scenario.Name}: {e.Message}");
    Console.WriteLine($"RESULT scenario={scenario.Name} status=failed");
    return 1;
}
