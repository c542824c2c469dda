using IdNode.Core.Ports;
using IdNode.Storage.Contract;

namespace IdNode.Storage.Sqlite.Tests;

/// <summary>The store contract against a fresh SQLite file in a temporary folder per test.</summary>
public sealed class SqliteRecordStoreContractTests : RecordStoreContract
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "idnode-sqlite-" + Guid.NewGuid().ToString("N"));

    protected override Task<IRecordStore> CreateStoreAsync()
        => Task.FromResult<IRecordStore>(new SqliteRecordStore(new SqliteStoreOptions { Path = Path.Combine(_dir, "test.db"), SyncEveryCommit = false }));

    protected override Task DisposeStoreAsync(IRecordStore store)
    {
        ((SqliteRecordStore)store).Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}
