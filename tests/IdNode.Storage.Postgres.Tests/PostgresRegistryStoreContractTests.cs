using IdNode.Core.Ports;
using IdNode.Storage.Contract;

namespace IdNode.Storage.Postgres.Tests;

/// <summary>The registry contract against PostgreSQL, a fresh schema per test.</summary>
public sealed class PostgresRegistryStoreContractTests : RegistryStoreContract
{
    private TestSchema? _schema;

    protected override async Task<IRegistryStore> CreateStoreAsync()
    {
        _schema = await TestSchema.CreateAsync();
        return _schema.OpenStore();
    }

    protected override async Task DisposeStoreAsync(IRegistryStore store)
    {
        await ((PostgresRecordStore)store).DisposeAsync();
        if (_schema is not null)
            await _schema.DisposeAsync();
    }
}
