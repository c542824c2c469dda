using IdNode.Core.Ports;
using Microsoft.Data.Sqlite;

namespace IdNode.Storage.Sqlite;

public sealed partial class SqliteRecordStore
{
    /// <summary>The statements of one write transaction, prepared once per batch.</summary>
    private sealed class WriteCommands : IDisposable
    {
        private readonly SqliteCommand _current;
        private readonly SqliteCommand _upsert;
        private readonly SqliteCommand _history;
        private readonly SqliteCommand _change;
        private readonly SqliteCommand _count;

        public WriteCommands(SqliteConnection c, SqliteTransaction tx)
        {
            _current = Make(c, tx, "SELECT version, data IS NOT NULL FROM handles WHERE key = $key;", "$key");
            _upsert = Make(c, tx, """
                INSERT INTO handles(key, handle, prefix, version, data, updated_at) VALUES ($key, $handle, $prefix, $version, $data, $at)
                ON CONFLICT(key) DO UPDATE SET handle = excluded.handle, version = excluded.version, data = excluded.data, updated_at = excluded.updated_at;
                """, "$key", "$handle", "$prefix", "$version", "$data", "$at");
            _history = Make(c, tx, "INSERT INTO record_history(key, version, handle, kind, data, at, actor) VALUES ($key, $version, $handle, $kind, $data, $at, $actor);",
                "$key", "$version", "$handle", "$kind", "$data", "$at", "$actor");
            _change = Make(c, tx, "INSERT INTO change_log(key, handle, version, kind, at) VALUES ($key, $handle, $version, $kind, $at) RETURNING seq;",
                "$key", "$handle", "$version", "$kind", "$at");
            _count = Make(c, tx, "INSERT INTO prefix_counts(prefix, count) VALUES ($prefix, $delta) ON CONFLICT(prefix) DO UPDATE SET count = count + $delta;",
                "$prefix", "$delta");
        }

        private static SqliteCommand Make(SqliteConnection c, SqliteTransaction tx, string sql, params string[] names)
        {
            var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            foreach (var n in names)
                cmd.Parameters.Add(new SqliteParameter(n, null));
            return cmd;
        }

        public WriteResult Apply(RecordWrite w, long now)
        {
            _current.Parameters[0].Value = w.Key;
            long version = 0;
            var wasLive = false;
            using (var r = _current.ExecuteReader())
            {
                if (r.Read())
                {
                    version = r.GetInt64(0);
                    wasLive = r.GetInt64(1) != 0;
                }
            }
            if (version != w.ExpectedVersion)
                return new WriteResult(WriteOutcome.Conflict, version, 0);

            var next = version + 1;
            object data = (object?)w.Data ?? DBNull.Value;
            Set(_upsert, w.Key, w.Handle, w.Prefix, next, data, now);
            _upsert.ExecuteNonQuery();
            Set(_history, w.Key, next, w.Handle, (int)w.Kind, data, now, (object?)w.Actor ?? DBNull.Value);
            _history.ExecuteNonQuery();
            Set(_change, w.Key, w.Handle, next, (int)w.Kind, now);
            var seq = (long)_change.ExecuteScalar()!;

            var isLive = w.Data is not null;
            if (isLive != wasLive)
            {
                Set(_count, w.Prefix, isLive ? 1 : -1);
                _count.ExecuteNonQuery();
            }
            return new WriteResult(WriteOutcome.Committed, next, seq);
        }

        private static void Set(SqliteCommand cmd, params object[] values)
        {
            for (var i = 0; i < values.Length; i++)
                cmd.Parameters[i].Value = values[i];
        }

        public void Dispose()
        {
            _current.Dispose();
            _upsert.Dispose();
            _history.Dispose();
            _change.Dispose();
            _count.Dispose();
        }
    }
}
