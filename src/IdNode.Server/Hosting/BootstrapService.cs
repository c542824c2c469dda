using IdNode.Core.Auth;
using IdNode.Core.Node;
using IdNode.Core.Ports;
using IdNode.Core.Records;
using IdNode.Core.Services;
using IdNode.Server.Options;
using Microsoft.Extensions.Options;

namespace IdNode.Server.Hosting;

/// <summary>
/// Makes sure the node admin <c>300:{prefix}/ADMIN</c> exists before the node serves. A configured
/// secret wins; without one, a secret is generated once and printed once (only its hash is stored).
/// </summary>
public sealed class BootstrapService(RecordService records, IRecordStore store, NodeSettings node, IOptions<BootstrapOptions> options,
    IOptions<StoreOptions> storeOptions, IOptions<CacheOptions> cacheOptions, ILogger<BootstrapService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Log.Started(logger, node.Prefix, storeOptions.Value.Kind, cacheOptions.Value.Kind);
        var id = records.ParseOrThrow(node.AdminHandle);
        var identity = new HandleIdentity(WellKnown.CredentialIndex, node.AdminHandle);
        var system = Principal.ForHandleIdentity(identity, id.Key, id.Prefix, isNodeAdmin: true);
        var existing = await records.GetAsync(id, cancellationToken);
        var configured = options.Value.AdminSecret;

        if (existing?.FindIndex(WellKnown.CredentialIndex)?.Data.Text is { } hash && SecretHasher.IsHash(hash))
        {
            if (string.IsNullOrEmpty(configured) || SecretHasher.Verify(configured, hash))
                return;
            await records.PutAsync(id, [SecretValue(configured)], new PutOptions(Overwrite: true, Various: true), system, "bootstrap", cancellationToken);
            Log.AdminSecretUpdated(logger, identity.ToString());
            return;
        }

        var secret = string.IsNullOrEmpty(configured) ? SecretHasher.NewSecret() : configured;
        var values = new List<HandleValue>
        {
            new(WellKnown.AdminIndex, WellKnown.HsAdmin, ValueData.FromAdmin(new AdminRef(node.AdminHandle, WellKnown.CredentialIndex, "111111111111"))),
            SecretValue(secret),
        };
        await records.PutAsync(id, values, PutOptions.Replace, system, "bootstrap", cancellationToken);
        Log.AdminCreated(logger, identity.ToString());
        if (string.IsNullOrEmpty(configured))
        {
            // Printed once, to the console only (not the log pipeline); only the hash is kept.
            Console.WriteLine($"""

                ===========================================================================
                 Node admin created: {identity}
                 Secret (shown once, store it now): {secret}
                 Basic auth user name: {Uri.EscapeDataString(identity.ToString())}
                 Set IdNode__Bootstrap__AdminSecret to choose the secret yourself.
                ===========================================================================

                """);
        }
        _ = store;
    }

    private static HandleValue SecretValue(string secret)
        => new(WellKnown.CredentialIndex, WellKnown.HsSecKey, ValueData.FromString(secret), Permissions: ValuePermissions.AdminRead | ValuePermissions.AdminWrite);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
