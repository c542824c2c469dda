using IdNode.Core.Ports;
using IdNode.Storage.Contract;

namespace IdNode.Storage.Sqlite.Tests;

/// <summary>The registry contract against a fresh SQLite file per test.</summary>
public sealed class SqliteRegistryStoreContractTests : RegistryStoreContract
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "idnode-sqlite-" + Guid.NewGuid().ToString("N"));

    protected override Task<IRegistryStore> CreateStoreAsync()
        => Task.FromResult<IRegistryStore>(new SqliteRecordStore(new SqliteStoreOptions { Path = Path.Combine(_dir, "test.db"), SyncEveryCommit = false }));

    protected override Task DisposeStoreAsync(IRegistryStore store)
    {
        ((SqliteRecordStore)store).Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}
