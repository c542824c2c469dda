using Grpc.Core;
using IdNode.Core.Handles;
using IdNode.Core.Json;
using IdNode.Core.Node;
using IdNode.Core.Ports;
using IdNode.Core.Registry;
using IdNode.Core.Services;
using IdNode.Grpc.V1;
using Domain = IdNode.Core.Registry;
using CoreRegistry = IdNode.Core.Registry.RegistryService;

namespace IdNode.Server.Grpc;

/// <summary>
/// The management API over gRPC. Every rule (who may do what, validation, auditing) is
/// <see cref="CoreRegistry"/>'s, exactly as behind <c>/api/admin</c>; this only maps messages, and
/// errors become statuses through <see cref="GrpcStatusMap"/> (the error interceptor).
/// </summary>
public sealed class ManagementService(CoreRegistry registry, GrpcAuthenticator authenticator, WriteAuthorizer authorizer, IRecordStore store, NodeSettings node)
    : Management.ManagementBase
{
    public override async Task<EnterpriseInfo> Apply(ApplyRequest request, ServerCallContext context)
    {
        var by = await authenticator.AuthenticateAsync(context);
        var e = await registry.ApplyAsync(new EnterpriseApplication(request.Name, request.CreditCode, request.Contact, request.Industry, request.Town, request.Cluster,
            Optional(request.RequestedPrefix)), by, context.CancellationToken);
        return ToProto(e);
    }

    public override async Task<ListEnterprisesResponse> ListEnterprises(ListEnterprisesRequest request, ServerCallContext context)
    {
        var by = await authenticator.RequireAsync(context);
        PrefixState? state = null;
        if (request.HasState)
            state = Enum.IsDefined((PrefixState)request.State)
                ? (PrefixState)request.State
                : throw new HandleException(ResponseCode.InvalidValue, "state must be 0..5 (0 stopped, 1 active, 2 pending delete, 3 rejected, 4 awaiting review, 5 under review)");
        var list = await registry.ListAsync(by, state, context.CancellationToken);
        var response = new ListEnterprisesResponse();
        response.Enterprises.Add(list.Select(ToProto));
        return response;
    }

    public override async Task<EnterpriseInfo> GetEnterprise(EnterpriseRequest request, ServerCallContext context)
        => ToProto(await registry.GetForAsync(request.Id, await authenticator.RequireAsync(context), context.CancellationToken));

    public override async Task<ApproveResponse> Approve(ApproveRequest request, ServerCallContext context)
    {
        var by = await authenticator.RequireAsync(context);
        var approval = await registry.ApproveAsync(request.Id, by, Optional(request.AdminUsername), Optional(request.AdminPassword), context.CancellationToken);
        return new ApproveResponse { Enterprise = ToProto(approval.Enterprise), AdminUsername = approval.AdminUsername, AdminPassword = approval.AdminPassword };
    }

    public override async Task<EnterpriseInfo> Reject(ReasonRequest request, ServerCallContext context)
        => ToProto(await registry.RejectAsync(request.Id, await authenticator.RequireAsync(context), Optional(request.Reason), context.CancellationToken));

    public override async Task<EnterpriseInfo> StopPrefix(ReasonRequest request, ServerCallContext context)
        => ToProto(await registry.StopAsync(request.Id, await authenticator.RequireAsync(context), Optional(request.Reason), context.CancellationToken));

    public override async Task<EnterpriseInfo> ResumePrefix(EnterpriseRequest request, ServerCallContext context)
        => ToProto(await registry.ResumeAsync(request.Id, await authenticator.RequireAsync(context), context.CancellationToken));

    public override async Task<EnterpriseInfo> SetHosting(SetHostingRequest request, ServerCallContext context)
        => ToProto(await registry.SetHostingAsync(request.Id, await authenticator.RequireAsync(context), (HostingState)request.Hosting, Optional(request.Site),
            context.CancellationToken));

    public override async Task<CreatePrincipalResponse> CreatePrincipal(CreatePrincipalRequest request, ServerCallContext context)
    {
        var by = await authenticator.RequireAsync(context);
        var (account, password) = await registry.CreatePrincipalAsync(by, request.Username, Optional(request.Password), request.Role,
            request.HasEnterpriseId ? request.EnterpriseId : null, request.Prefixes, context.CancellationToken);
        return new CreatePrincipalResponse { Principal = ToProto(account), Password = password };
    }

    public override async Task<ListPrincipalsResponse> ListPrincipals(ListPrincipalsRequest request, ServerCallContext context)
    {
        var list = await registry.ListPrincipalsAsync(await authenticator.RequireAsync(context), request.HasEnterpriseId ? request.EnterpriseId : null,
            context.CancellationToken);
        var response = new ListPrincipalsResponse();
        response.Principals.Add(list.Select(ToProto));
        return response;
    }

    public override async Task<PrincipalInfo> UpdatePrincipal(UpdatePrincipalRequest request, ServerCallContext context)
        => ToProto(await registry.UpdatePrincipalAsync(await authenticator.RequireAsync(context), request.Username, request.HasDisabled ? request.Disabled : null,
            request.Prefixes?.Prefixes, Optional(request.Password), context.CancellationToken));

    public override async Task<PrincipalInfo> RevokePrincipal(PrincipalRequest request, ServerCallContext context)
        => ToProto(await registry.UpdatePrincipalAsync(await authenticator.RequireAsync(context), request.Username, true, null, null, context.CancellationToken));

    public override async Task<PrincipalInfo> GrantPrefixes(GrantPrefixesRequest request, ServerCallContext context)
        => ToProto(await registry.UpdatePrincipalAsync(await authenticator.RequireAsync(context), request.Username, null, request.Prefixes, null, context.CancellationToken));

    public override async Task<AuditQueryResponse> QueryAudit(AuditQueryRequest request, ServerCallContext context)
    {
        var by = await authenticator.RequireAsync(context);
        if (request.Limit is < 0 or > CoreRegistry.MaxAuditRows)
            throw new HandleException(ResponseCode.InvalidValue, $"limit must be 1..{CoreRegistry.MaxAuditRows} (0 = 100), got {request.Limit}");
        var entries = await registry.QueryAuditAsync(by, new AuditQuery(Optional(request.Actor), Optional(request.Target), Optional(request.Prefix),
            request.HasEnterpriseId ? request.EnterpriseId : null, Optional(request.Outcome), request.HasSince ? request.Since : null,
            request.HasBefore ? request.Before : null, request.Limit == 0 ? 100 : request.Limit), context.CancellationToken);
        var response = new AuditQueryResponse();
        foreach (var e in entries)
        {
            var p = new AuditRecord
            {
                Seq = e.Sequence, At = e.At, Actor = e.Actor, Action = e.Action, Target = e.Target ?? "", Prefix = e.Prefix ?? "", Outcome = e.Outcome, Detail = e.Detail ?? "",
            };
            if (e.EnterpriseId is { } id)
                p.EnterpriseId = id;
            response.Entries.Add(p);
        }
        return response;
    }

    public override async Task<HistoryResponse> GetHistory(HistoryRequest request, ServerCallContext context)
    {
        var id = ProtoValues.ParseHandle(request.Handle, node);
        var by = await authenticator.RequireAsync(context);
        authorizer.EnsureCanReadHistory(by, id);
        var history = await store.GetHistoryAsync(id.Key, context.CancellationToken);
        var response = new HistoryResponse();
        foreach (var h in history)
        {
            var v = new RecordVersion { Version = h.Version, Kind = h.Kind.ToString(), At = h.At, Actor = h.Actor ?? "", Handle = h.Handle, Deleted = h.Data is null };
            if (h.Data is { } data)
                v.Values.Add(HandleJsonReader.ReadStored(data).Select(ProtoValues.ToProto));
            response.Versions.Add(v);
        }
        return response;
    }

    // proto3 strings are never null: empty means "not given", as an absent JSON field does over HTTP.
    private static string? Optional(string value) => value.Length == 0 ? null : value;

    private static EnterpriseInfo ToProto(Domain.Enterprise e)
    {
        var p = new EnterpriseInfo
        {
            Id = e.Id, Name = e.Name, CreditCode = e.CreditCode, Contact = e.Contact, Industry = e.Industry, Town = e.Town, Cluster = e.Cluster,
            State = (int)e.State, StateName = e.State.ToString(), Hosting = (int)e.Hosting, Prefix = e.Prefix ?? "", Site = e.Site ?? "", Reason = e.Reason ?? "",
            AdminUsername = e.AdminUsername ?? "", AppliedAt = e.AppliedAt,
        };
        if (e.RequestedNumber is { } n)
            p.RequestedNumber = n;
        if (e.DecidedAt is { } d)
            p.DecidedAt = d;
        return p;
    }

    private static PrincipalInfo ToProto(PrincipalAccount a)
    {
        var p = new PrincipalInfo { Username = a.Username, Role = a.Role.ToString(), Disabled = a.Disabled };
        if (a.EnterpriseId is { } id)
            p.EnterpriseId = id;
        p.Prefixes.Add(a.Prefixes);
        return p;
    }
}
