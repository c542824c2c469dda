using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using IdNode.Server.Tests.Http;

namespace IdNode.Server.Tests.Process;

[Collection(nameof(ProcessCollection))]
public class CrashDurabilityTests
{
    [Fact]
    public async Task Every_acknowledged_write_survives_kill_9()
    {
        var data = Path.Combine(Path.GetTempPath(), "idnode-crash", Guid.NewGuid().ToString("N"));
        try
        {
            var acknowledged = new ConcurrentDictionary<string, string>();
            await using (var node = await NodeProcess.StartAsync(data))
            {
                using var admin = node.Client(admin: true);
                using var stop = new CancellationTokenSource();
                var next = -1;
                async Task WriterAsync()
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var i = Interlocked.Increment(ref next);
                        var handle = $"88.999.70/crash-{i:D6}";
                        var url = $"https://example.cn/{i}";
                        try
                        {
                            var response = await admin.PutJsonAsync($"/api/handles/{handle}", $$"""[{"index":1,"type":"URL","data":"{{url}}"}]""");
                            if (response.StatusCode == HttpStatusCode.OK)
                                acknowledged[handle] = url;
                        }
                        catch (HttpRequestException)
                        {
                            return; // the node is gone
                        }
                    }
                }
                var writers = Enumerable.Range(0, 8).Select(_ => Task.Run(WriterAsync)).ToArray();
                while (acknowledged.Count < 300)
                    await Task.Delay(5);
                // Kill while writes are still in flight, right after these acknowledgements.
                node.KillHard();
                stop.Cancel();
                await Task.WhenAll(writers);
            }
            Assert.True(acknowledged.Count >= 300);

            await using var restarted = await NodeProcess.StartAsync(data);
            using var client = restarted.Client(admin: false);
            var missing = new List<string>();
            foreach (var (handle, url) in acknowledged)
            {
                var response = await client.GetAsync($"/api/handles/{handle}");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    missing.Add(handle);
                    continue;
                }
                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                Assert.Equal(url, doc.RootElement.GetProperty("values")[0].GetProperty("data").GetProperty("value").GetString());
            }
            Assert.Empty(missing);
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

[CollectionDefinition(nameof(ProcessCollection), DisableParallelization = true)]
public sealed class ProcessCollection;
