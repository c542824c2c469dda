using IdNode.Core.Auth;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;
using IdNode.Core.Json;
using IdNode.Core.Node;
using IdNode.Core.Ports;
using IdNode.Core.Records;

namespace IdNode.Core.Services;

/// <summary>
/// The write path: authorise, validate, apply to the current state, compare-and-set in the
/// store (retrying when another writer got there first), then tell the caches. One rule set
/// for every surface (Handle REST, gRPC, SNMS).
/// </summary>
public sealed partial class RecordService
{
    private const int MaxAttempts = 64;

    private readonly IRecordStore _store;
    private readonly NodeSettings _node;
    private readonly WriteAuthorizer _authorizer;
    private readonly IReadOnlyList<IRecordChangeListener> _listeners;
    private readonly TimeProvider _time;
    private readonly IBulkRecordWriter? _bulkWriter;

    public RecordService(IRecordStore store, NodeSettings node, WriteAuthorizer authorizer, IEnumerable<IRecordChangeListener> listeners, TimeProvider? time = null,
        IBulkRecordWriter? bulkWriter = null)
    {
        _store = store;
        _bulkWriter = bulkWriter;
        _node = node;
        _authorizer = authorizer;
        _listeners = listeners.ToArray();
        _time = time ?? TimeProvider.System;
    }

    public NodeSettings Node => _node;

    public Identifier ParseOrThrow(string? handle)
    {
        if (!IdentifierParser.TryParse(handle, _node.Rules, out var id, out var error))
            throw new HandleException(ResponseCode.InvalidHandle, error.Message);
        return id;
    }

    /// <summary>The current record, or null (absent or deleted).</summary>
    public async Task<HandleRecord?> GetAsync(Identifier id, CancellationToken cancellationToken = default)
    {
        var stored = await _store.GetAsync(id.Key, cancellationToken).ConfigureAwait(false);
        return Decode(stored);
    }

    public static HandleRecord? Decode(StoredRecord? stored)
        => stored?.Data is { } data ? new HandleRecord(stored.Handle, stored.Version, HandleJsonReader.ReadStored(data)) : null;

    public async Task<PutResult> PutAsync(Identifier id, IReadOnlyList<HandleValue> values, PutOptions options, Principal? principal, string? actorNote = null, CancellationToken cancellationToken = default)
    {
        ValidatePut(id, values);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var stored = await _store.GetAsync(id.Key, cancellationToken).ConfigureAwait(false);
            var (write, planned) = PlanPut(id, values, options, principal, actorNote, stored, Decode(stored), identicalIsSuccess: false);
            if (write is null)
                return planned;
            var result = await _store.WriteAsync(write, cancellationToken).ConfigureAwait(false);
            if (!result.Committed)
            {
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }
            Notify(id.Key, result.Version);
            return planned with { Version = result.Version };
        }
        throw new HandleException(ResponseCode.ServerTooBusy, $"Too many concurrent writes to {id.Display}; retry");
    }

    /// <summary>The checks that need no stored state: responsibility, a non-empty body, the record rules.</summary>
    private void ValidatePut(Identifier id, IReadOnlyList<HandleValue> values)
    {
        _authorizer.EnsureResponsible(id);
        if (values.Count == 0)
            throw new HandleException(ResponseCode.InvalidValue, "No values given");
        var invalid = RecordValidator.Validate(values, _node.Limits);
        if (invalid is not null)
            throw invalid;
    }

    /// <summary>
    /// Authorises and applies a put to the stored state: the compare-and-set write to attempt, or
    /// no write when the record already holds exactly these values. With
    /// <paramref name="identicalIsSuccess"/> a create of an existing record with the same values
    /// succeeds instead of failing with rc 101 (batches: a client retrying after a timeout).
    /// <paramref name="existing"/> is <paramref name="stored"/> decoded (the caller may need it first).
    /// </summary>
    private (RecordWrite? Write, PutResult Result) PlanPut(Identifier id, IReadOnlyList<HandleValue> values, PutOptions options, Principal? principal,
        string? actorNote, StoredRecord? stored, HandleRecord? existing, bool identicalIsSuccess)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();

        IReadOnlyList<HandleValue>? next = null;
        byte[]? data = null;
        bool created;
        if (!options.IsPartial)
        {
            if (existing is not null && !options.Overwrite)
            {
                if (identicalIsSuccess)
                {
                    _authorizer.Authorize(principal, id, existing, AdminPermission.AddHandle);
                    if (SameContent(existing.Values, Stamp(values, existing, now)))
                        return (null, new PutResult(existing.Handle, existing.Version, false, false));
                }
                throw new HandleException(ResponseCode.HandleAlreadyExists, $"Handle already exists: {id.Display}");
            }
            _authorizer.Authorize(principal, id, existing, existing is null ? AdminPermission.AddHandle : AdminPermission.ModifyValue);
            created = existing is null;
            // A new record without secret keys: every value is stamped now, straight into the
            // stored form (the same bytes) instead of through a stamped copy of each value; a
            // batch creates thousands.
            if (created && !HasSecretKey(values))
                data = HandleJsonWriter.Stored(values, now);
            else
                next = Stamp(values, existing, now);
        }
        else
        {
            if (existing is null)
                throw new HandleException(ResponseCode.HandleNotFound, $"Handle not found: {id.Display}");
            _authorizer.Authorize(principal, id, existing, AdminPermission.ModifyValue);
            next = Merge(existing, SelectPartial(values, options), options.Overwrite, now);
            created = false;
            var invalid = RecordValidator.Validate(next, _node.Limits);
            if (invalid is not null)
                throw invalid;
        }

        if (existing is not null && SameContent(existing.Values, next!))
            return (null, new PutResult(existing.Handle, existing.Version, false, false));

        var handle = existing?.Handle ?? id.Display;
        var write = new RecordWrite(id.Key, handle, id.Prefix, stored?.Version ?? 0, data ?? HandleJsonWriter.Stored(next!),
            existing is null ? ChangeKind.Create : ChangeKind.Update, principal?.Name ?? actorNote);
        return (write, new PutResult(handle, 0, created || options.IsPartial && !options.Overwrite, true));
    }

    /// <summary>Deletes the handle, or only the values at <paramref name="indexes"/>. History keeps every version.</summary>
    public async Task<long> DeleteAsync(Identifier id, IReadOnlyList<int>? indexes, Principal? principal, CancellationToken cancellationToken = default)
    {
        _authorizer.EnsureResponsible(id);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var stored = await _store.GetAsync(id.Key, cancellationToken).ConfigureAwait(false);
            var existing = Decode(stored);
            if (existing is null)
            {
                // Authenticate before revealing whether a handle exists.
                _authorizer.Authorize(principal, id, null, AdminPermission.DeleteHandle);
                throw new HandleException(ResponseCode.HandleNotFound, $"Handle not found: {id.Display}");
            }

            RecordWrite write;
            if (indexes is { Count: > 0 })
            {
                _authorizer.Authorize(principal, id, existing, AdminPermission.RemoveValue);
                var missing = indexes.Where(i => existing.FindIndex(i) is null).ToArray();
                if (missing.Length > 0)
                    throw new HandleException(ResponseCode.ValuesNotFound, $"Values not found: no value at index {string.Join(", ", missing)}");
                var remaining = existing.Values.Where(v => !indexes.Contains(v.Index)).ToArray();
                write = new RecordWrite(id.Key, existing.Handle, id.Prefix, stored!.Version, HandleJsonWriter.Stored(remaining), ChangeKind.Update, principal!.Name);
            }
            else
            {
                _authorizer.Authorize(principal, id, existing, AdminPermission.DeleteHandle);
                write = new RecordWrite(id.Key, existing.Handle, id.Prefix, stored!.Version, null, ChangeKind.Delete, principal!.Name);
            }
            var result = await _store.WriteAsync(write, cancellationToken).ConfigureAwait(false);
            if (!result.Committed)
            {
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }
            Notify(id.Key, result.Version);
            return result.Version;
        }
        throw new HandleException(ResponseCode.ServerTooBusy, $"Too many concurrent writes to {id.Display}; retry");
    }

    /// <summary>Creates a new identifier under <paramref name="prefix"/> with a server-chosen unique suffix.</summary>
    public async Task<PutResult> MintAsync(string prefix, IReadOnlyList<HandleValue> values, Principal? principal, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < 4; attempt++)
        {
            // UUIDv7: time-ordered, so minted identifiers of one prefix list in creation order.
            var id = ParseOrThrow(prefix + "/" + Guid.CreateVersion7().ToString("D"));
            try
            {
                return await PutAsync(id, values, new PutOptions(Overwrite: false), principal, null, cancellationToken).ConfigureAwait(false);
            }
            catch (HandleException e) when (e.Code == ResponseCode.HandleAlreadyExists)
            {
            }
        }
        throw new HandleException(ResponseCode.Error, "Could not mint a unique suffix");
    }

    private static List<HandleValue> SelectPartial(IReadOnlyList<HandleValue> values, PutOptions options)
    {
        if (options.Indexes is not { Count: > 0 } indexes)
            return values.ToList();
        var selected = new List<HandleValue>();
        foreach (var index in indexes.Distinct())
        {
            var v = values.FirstOrDefault(x => x.Index == index)
                    ?? throw new HandleException(ResponseCode.InvalidValue, $"index={index} was given but the body has no value with index {index}");
            selected.Add(v);
        }
        return selected;
    }

    private static List<HandleValue> Merge(HandleRecord existing, List<HandleValue> changes, bool overwrite, long now)
    {
        var result = existing.Values.ToList();
        foreach (var change in changes)
        {
            var at = result.FindIndex(v => v.Index == change.Index);
            if (at >= 0 && !overwrite)
                throw new HandleException(ResponseCode.ValueAlreadyExists, $"Value already exists at index {change.Index}");
            var stamped = StampOne(change, at >= 0 ? result[at] : null, now);
            if (at >= 0)
                result[at] = stamped;
            else
                result.Add(stamped);
        }
        result.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        return result;
    }

    private static List<HandleValue> Stamp(IReadOnlyList<HandleValue> values, HandleRecord? existing, long now)
    {
        var list = new List<HandleValue>(values.Count);
        foreach (var v in values)
            list.Add(StampOne(v, existing?.FindIndex(v.Index), now));
        return list;
    }

    /// <summary>
    /// Gives a value its server timestamp (kept when the content did not change) and turns a
    /// plain HS_SECKEY into its salted hash; secret keys are never publicly readable.
    /// </summary>
    private static HandleValue StampOne(HandleValue v, HandleValue? previous, long now)
    {
        if (IsSecretKey(v))
        {
            var text = v.Data.Text!;
            string hash;
            if (SecretHasher.IsHash(text))
                hash = text;
            else if (previous?.Data.Text is { } old && SecretHasher.IsHash(old) && SecretHasher.Verify(text, old))
                hash = old;
            else
                hash = SecretHasher.Hash(text);
            v = v with { Data = ValueData.FromString(hash), Permissions = v.Permissions & ~(ValuePermissions.PublicRead | ValuePermissions.PublicWrite) };
        }
        var timestamp = previous is not null && previous.SameContent(v) ? previous.Timestamp : now;
        return v with { Timestamp = timestamp };
    }

    private static bool IsSecretKey(HandleValue v) => string.Equals(v.Type, WellKnown.HsSecKey, StringComparison.OrdinalIgnoreCase);

    private static bool HasSecretKey(IReadOnlyList<HandleValue> values)
    {
        for (var i = 0; i < values.Count; i++)
            if (IsSecretKey(values[i]))
                return true;
        return false;
    }

    private static bool SameContent(IReadOnlyList<HandleValue> a, IReadOnlyList<HandleValue> b)
    {
        if (a.Count != b.Count)
            return false;
        for (var i = 0; i < a.Count; i++)
            if (!a[i].SameContent(b[i]))
                return false;
        return true;
    }

    /// <summary>
    /// Randomised exponential back-off after losing a compare-and-set: without it, many writers of
    /// one hot identifier keep colliding in lock-step and some starve.
    /// </summary>
    private static Task BackOffAsync(int attempt, CancellationToken cancellationToken)
        => attempt == 0 ? Task.CompletedTask : Task.Delay(Random.Shared.Next(0, 1 << Math.Min(attempt, 6)), cancellationToken);

    private void Notify(string key, long version)
    {
        foreach (var l in _listeners)
            l.OnCommitted(key, version);
    }
}
