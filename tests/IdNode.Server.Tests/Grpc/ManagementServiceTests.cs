using Grpc.Core;
using IdNode.Grpc.V1;
using IdNode.Server.Tests.Enterprise;

namespace IdNode.Server.Tests.Grpc;

/// <summary>
/// idnode.v1.Management end to end in memory: each RPC succeeds for the principal allowed to call
/// it, is PERMISSION_DENIED (and audited) for one who is not, and INVALID_ARGUMENT (or NOT_FOUND)
/// for a bad request, with the same rules as /api/admin.
/// </summary>
public sealed class ManagementServiceTests : IDisposable
{
    private readonly GrpcTestServer _server = new();
    private readonly Management.ManagementClient _m;
    private static readonly Metadata Admin = GrpcTestServer.Admin;

    public ManagementServiceTests() => _m = _server.Management;

    public void Dispose() => _server.Dispose();

    private static ApplyRequest Application(string name, string requested = "") => new()
    {
        Name = name, CreditCode = Onboarding.ValidCreditCode, Contact = "li@example.cn", Industry = "C/38/385/3851", Town = "Xiaolan", Cluster = "lighting",
        RequestedPrefix = requested,
    };

    /// <summary>An approved enterprise and its admin's bearer token as call metadata.</summary>
    private async Task<(EnterpriseInfo Enterprise, Metadata AdminLogin)> EnterpriseAsync(string name)
    {
        var applied = await _m.ApplyAsync(Application(name));
        var approved = await _m.ApproveAsync(new ApproveRequest { Id = applied.Id, AdminPassword = "enterprise-pw-1" }, Admin);
        var token = await new Onboarding(_server).LoginAsync(approved.AdminUsername, "enterprise-pw-1");
        return (approved.Enterprise, Onboarding.GrpcBearer(token));
    }

    private async Task<Metadata> PartnerAsync(Metadata creator, string username, string prefix)
    {
        await _m.CreatePrincipalAsync(new CreatePrincipalRequest { Username = username, Password = "partner-pw-1", Role = "Partner", Prefixes = { prefix } }, creator);
        return Onboarding.GrpcBearer(await new Onboarding(_server).LoginAsync(username, "partner-pw-1"));
    }

    private static Task Denied(Func<Task> call) => GrpcAssert.FailsWith(StatusCode.PermissionDenied, call, responseCode: 401);

    private static Task Invalid(Func<Task> call, string expected) => InvalidAsync(call, expected);

    private static async Task InvalidAsync(Func<Task> call, string expected)
    {
        var e = await GrpcAssert.FailsWith(StatusCode.InvalidArgument, call);
        Assert.Contains(expected, e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_needs_no_login_refuses_a_bad_application_and_a_bad_credential()
    {
        var e = await _m.ApplyAsync(Application("Guzhen Lamps", "88.999.1001"));
        Assert.Equal(4, e.State);
        Assert.Equal(1001, e.RequestedNumber);
        var bad = Application("Bad");
        bad.CreditCode = "91350100M000100Y44";
        await Invalid(() => _m.ApplyAsync(bad).ResponseAsync, "check character");
        await GrpcAssert.FailsWith(StatusCode.Unauthenticated,
            () => _m.ApplyAsync(Application("X"), GrpcTestServer.Basic("300:88.999/ADMIN", "wrong-secret")).ResponseAsync);
    }

    [Fact]
    public async Task Enterprises_are_listed_read_approved_and_rejected_by_the_node_admin_only()
    {
        var (own, enterpriseAdmin) = await EnterpriseAsync("Own Co");
        var other = await _m.ApplyAsync(Application("Other Co"));

        var all = await _m.ListEnterprisesAsync(new ListEnterprisesRequest(), Admin);
        Assert.Equal([own.Id, other.Id], all.Enterprises.Select(e => e.Id));
        Assert.Equal([other.Id], (await _m.ListEnterprisesAsync(new ListEnterprisesRequest { State = 4 }, Admin)).Enterprises.Select(e => e.Id));
        Assert.Equal([own.Id], (await _m.ListEnterprisesAsync(new ListEnterprisesRequest(), enterpriseAdmin)).Enterprises.Select(e => e.Id));
        await Invalid(() => _m.ListEnterprisesAsync(new ListEnterprisesRequest { State = 9 }, Admin).ResponseAsync, "state must be 0..5");
        var partner = await PartnerAsync(enterpriseAdmin, "partner-a", own.Prefix);
        await Denied(() => _m.ListEnterprisesAsync(new ListEnterprisesRequest(), partner).ResponseAsync);
        await GrpcAssert.FailsWith(StatusCode.Unauthenticated, () => _m.ListEnterprisesAsync(new ListEnterprisesRequest()).ResponseAsync, responseCode: 402);

        Assert.Equal("Own Co", (await _m.GetEnterpriseAsync(new EnterpriseRequest { Id = own.Id }, enterpriseAdmin)).Name);
        await Denied(() => _m.GetEnterpriseAsync(new EnterpriseRequest { Id = other.Id }, enterpriseAdmin).ResponseAsync);
        await GrpcAssert.FailsWith(StatusCode.NotFound, () => _m.GetEnterpriseAsync(new EnterpriseRequest { Id = 9999 }, Admin).ResponseAsync, responseCode: 100);

        await Denied(() => _m.ApproveAsync(new ApproveRequest { Id = other.Id }, enterpriseAdmin).ResponseAsync);
        await Invalid(() => _m.ApproveAsync(new ApproveRequest { Id = other.Id, AdminPassword = "short" }, Admin).ResponseAsync, "at least 8 characters");
        await Denied(() => _m.RejectAsync(new ReasonRequest { Id = other.Id, Reason = "no" }, enterpriseAdmin).ResponseAsync);
        await Invalid(() => _m.RejectAsync(new ReasonRequest { Id = other.Id }, Admin).ResponseAsync, "reason is required");
        var rejected = await _m.RejectAsync(new ReasonRequest { Id = other.Id, Reason = "incomplete documents" }, Admin);
        Assert.Equal(3, rejected.State);
        Assert.Equal("incomplete documents", rejected.Reason);

        var approved = await _m.ApproveAsync(new ApproveRequest { Id = (await _m.ApplyAsync(Application("Third Co"))).Id }, Admin);
        Assert.Equal(1, approved.Enterprise.State);
        Assert.StartsWith("88.999.", approved.Enterprise.Prefix, StringComparison.Ordinal);
        Assert.True(approved.AdminPassword.Length >= 8);

        // Denials are audited, as on HTTP.
        var audit = await _m.QueryAuditAsync(new AuditQueryRequest { Outcome = "denied", Target = other.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, Admin);
        Assert.Contains(audit.Entries, a => a.Action == "enterprise.approve");
    }

    [Fact]
    public async Task Prefixes_are_stopped_resumed_and_rehosted_by_the_node_admin_only()
    {
        var (e, enterpriseAdmin) = await EnterpriseAsync("Stop Co");
        await Denied(() => _m.StopPrefixAsync(new ReasonRequest { Id = e.Id, Reason = "fees" }, enterpriseAdmin).ResponseAsync);
        await Invalid(() => _m.ResumePrefixAsync(new EnterpriseRequest { Id = e.Id }, Admin).ResponseAsync, "only a Stopped prefix");
        Assert.Equal(0, (await _m.StopPrefixAsync(new ReasonRequest { Id = e.Id, Reason = "fees" }, Admin)).State);
        await Invalid(() => _m.StopPrefixAsync(new ReasonRequest { Id = e.Id }, Admin).ResponseAsync, "only a Active prefix");
        await Denied(() => _m.ResumePrefixAsync(new EnterpriseRequest { Id = e.Id }, enterpriseAdmin).ResponseAsync);
        Assert.Equal(1, (await _m.ResumePrefixAsync(new EnterpriseRequest { Id = e.Id }, Admin)).State);

        await Denied(() => _m.SetHostingAsync(new SetHostingRequest { Id = e.Id, Hosting = 1, Site = "https://ent.example.cn" }, enterpriseAdmin).ResponseAsync);
        await Invalid(() => _m.SetHostingAsync(new SetHostingRequest { Id = e.Id, Hosting = 1, Site = "ftp://ent.example.cn" }, Admin).ResponseAsync, "http or https");
        var selfHosted = await _m.SetHostingAsync(new SetHostingRequest { Id = e.Id, Hosting = 1, Site = "https://ent.example.cn/" }, Admin);
        Assert.Equal((1, "https://ent.example.cn"), (selfHosted.Hosting, selfHosted.Site));
        await GrpcAssert.FailsWith(StatusCode.FailedPrecondition,
            () => _server.Resolver.ResolveAsync(new ResolveRequest { Handle = e.Prefix + "/x" }).ResponseAsync, responseCode: 302);
        Assert.Equal(4, (await _m.SetHostingAsync(new SetHostingRequest { Id = e.Id, Hosting = 4 }, Admin)).Hosting);
        await GrpcAssert.FailsWith(StatusCode.NotFound, () => _server.Resolver.ResolveAsync(new ResolveRequest { Handle = e.Prefix + "/x" }).ResponseAsync, responseCode: 100);
    }

    [Fact]
    public async Task Principals_are_created_listed_updated_revoked_and_granted_within_the_rules()
    {
        var (e, enterpriseAdmin) = await EnterpriseAsync("People Co");
        var (other, otherAdmin) = await EnterpriseAsync("Other People Co");

        var created = await _m.CreatePrincipalAsync(new CreatePrincipalRequest { Username = "writer-1", Role = "EnterpriseWriter" }, enterpriseAdmin);
        Assert.Equal(e.Id, created.Principal.EnterpriseId);
        Assert.Equal([e.Prefix], created.Principal.Prefixes);
        Assert.True(created.Password.Length >= 8);
        await Denied(() => _m.CreatePrincipalAsync(new CreatePrincipalRequest { Username = "boss", Role = "NodeAdmin" }, enterpriseAdmin).ResponseAsync);
        await Invalid(() => _m.CreatePrincipalAsync(new CreatePrincipalRequest { Username = "x-1", Role = "Emperor" }, Admin).ResponseAsync, "role must be one of");

        var mine = await _m.ListPrincipalsAsync(new ListPrincipalsRequest(), enterpriseAdmin);
        Assert.Contains(mine.Principals, p => p.Username == "writer-1");
        Assert.DoesNotContain(mine.Principals, p => p.EnterpriseId != e.Id);
        await Denied(() => _m.ListPrincipalsAsync(new ListPrincipalsRequest { EnterpriseId = other.Id }, enterpriseAdmin).ResponseAsync);
        var partner = await PartnerAsync(enterpriseAdmin, "partner-b", e.Prefix);
        await Denied(() => _m.ListPrincipalsAsync(new ListPrincipalsRequest(), partner).ResponseAsync);

        var derived = e.Prefix + ".7";
        var updated = await _m.UpdatePrincipalAsync(new UpdatePrincipalRequest { Username = "writer-1", Prefixes = new PrefixList { Prefixes = { derived } } }, enterpriseAdmin);
        Assert.Equal([derived], updated.Prefixes);
        await Invalid(() => _m.UpdatePrincipalAsync(new UpdatePrincipalRequest { Username = "writer-1", Password = "short" }, enterpriseAdmin).ResponseAsync, "at least 8");
        await Denied(() => _m.UpdatePrincipalAsync(new UpdatePrincipalRequest { Username = "writer-1", Disabled = true }, otherAdmin).ResponseAsync);

        var granted = await _m.GrantPrefixesAsync(new GrantPrefixesRequest { Username = "writer-1", Prefixes = { e.Prefix } }, enterpriseAdmin);
        Assert.Equal([e.Prefix], granted.Prefixes);
        await Denied(() => _m.GrantPrefixesAsync(new GrantPrefixesRequest { Username = "writer-1", Prefixes = { other.Prefix } }, enterpriseAdmin).ResponseAsync);
        await Invalid(() => _m.GrantPrefixesAsync(new GrantPrefixesRequest { Username = "writer-1", Prefixes = { "86.100.1" } }, Admin).ResponseAsync, "must be an enterprise prefix");

        // Revoking disables the principal and its token stops working at once.
        await Denied(() => _m.RevokePrincipalAsync(new PrincipalRequest { Username = "partner-b" }, otherAdmin).ResponseAsync);
        await GrpcAssert.FailsWith(StatusCode.NotFound, () => _m.RevokePrincipalAsync(new PrincipalRequest { Username = "nobody-here" }, Admin).ResponseAsync, responseCode: 100);
        Assert.True((await _m.RevokePrincipalAsync(new PrincipalRequest { Username = "partner-b" }, enterpriseAdmin)).Disabled);
        await GrpcAssert.FailsWith(StatusCode.Unauthenticated, () => _m.ListEnterprisesAsync(new ListEnterprisesRequest(), partner).ResponseAsync);
    }

    [Fact]
    public async Task The_audit_log_and_record_history_are_read_within_scope()
    {
        var (e, enterpriseAdmin) = await EnterpriseAsync("History Co");
        var (other, otherAdmin) = await EnterpriseAsync("Other History Co");
        var handle = e.Prefix + "/part-1";
        await _server.Registry.CreateAsync(new CreateRequest { Handle = handle, Values = { GrpcTestServer.Url("https://example.cn/1") } }, enterpriseAdmin);
        await _server.Registry.UpdateAsync(new UpdateRequest { Handle = handle, Values = { GrpcTestServer.Url("https://example.cn/2") } }, enterpriseAdmin);
        await _server.Registry.DeleteAsync(new DeleteRequest { Handle = handle }, enterpriseAdmin);

        var history = await _m.GetHistoryAsync(new HistoryRequest { Handle = handle }, enterpriseAdmin);
        Assert.Equal([1L, 2L, 3L], history.Versions.Select(v => v.Version));
        Assert.Equal("https://example.cn/2", history.Versions[1].Values.Single(v => v.Index == 1).Data.Text);
        Assert.True(history.Versions[2].Deleted);
        await Denied(() => _m.GetHistoryAsync(new HistoryRequest { Handle = handle }, otherAdmin).ResponseAsync);
        await Invalid(() => _m.GetHistoryAsync(new HistoryRequest { Handle = "no-slash" }, Admin).ResponseAsync, "");

        var own = await _m.QueryAuditAsync(new AuditQueryRequest(), enterpriseAdmin);
        Assert.NotEmpty(own.Entries);
        Assert.All(own.Entries, a => Assert.Equal(e.Id, a.EnterpriseId));
        var all = await _m.QueryAuditAsync(new AuditQueryRequest { Limit = 1000 }, Admin);
        Assert.Contains(all.Entries, a => a.EnterpriseId == other.Id);
        Assert.Contains(all.Entries, a => a.Action == "history.read" && a.Outcome == "denied");
        Assert.Single((await _m.QueryAuditAsync(new AuditQueryRequest { Limit = 1 }, Admin)).Entries);
        await Denied(() => _m.QueryAuditAsync(new AuditQueryRequest { EnterpriseId = other.Id }, enterpriseAdmin).ResponseAsync);
        await Invalid(() => _m.QueryAuditAsync(new AuditQueryRequest { Limit = 5000 }, Admin).ResponseAsync, "limit must be 1..1000");
    }
}
