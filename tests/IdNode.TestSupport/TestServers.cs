using Xunit;

namespace IdNode.TestSupport;

/// <summary>
/// Connection settings of the real servers ./test.sh starts (environment variables, loopback).
/// A test that needs one calls <see cref="Require"/>: it is skipped locally when the server is
/// missing, and fails when CI=true, so CI can never pass by skipping.
/// </summary>
public static class TestServers
{
    /// <summary>Npgsql connection string to a database where tests may create schemas/databases.</summary>
    public static string? Postgres => Environment.GetEnvironmentVariable("IDNODE_TEST_POSTGRES");

    /// <summary>StackExchange.Redis configuration string (host:port).</summary>
    public static string? Redis => Environment.GetEnvironmentVariable("IDNODE_TEST_REDIS");

    /// <summary>dnsmasq on loopback, host:port.</summary>
    public static string? Dns => Environment.GetEnvironmentVariable("IDNODE_TEST_DNS");

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns the setting, or skips (locally) / fails (CI) the calling test when it is missing.</summary>
    public static string Require(string? setting, string name)
    {
        if (!string.IsNullOrEmpty(setting))
            return setting;
        if (IsCi)
            throw new InvalidOperationException($"{name} is required under CI=true but its environment variable is not set: ./test.sh starts it.");
        Skip.If(true, $"{name} is not available (run ./test.sh to start it)");
        return "";
    }
}
