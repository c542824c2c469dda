namespace IdNode.Server.Http;

/// <summary>
/// One line of a CSV import (RFC 4180 without line breaks inside fields): comma-separated,
/// a field may be quoted with <c>"</c>, and <c>""</c> inside quotes is one quote.
/// </summary>
public static class CsvLine
{
    /// <summary>
    /// Splits <paramref name="line"/> into <paramref name="fields"/>. On malformed input returns
    /// the reason (with the 1-based column) and leaves the fields read before it, so the caller
    /// can still tell which identifier the row belonged to.
    /// </summary>
    public static string? Split(string line, List<string> fields)
    {
        fields.Clear();
        var i = 0;
        while (true)
        {
            if (i < line.Length && line[i] == '"')
            {
                var sb = new System.Text.StringBuilder();
                var start = i++;
                while (true)
                {
                    if (i >= line.Length)
                        return $"field {fields.Count + 1}: the quote opened at column {start + 1} is not closed (a field cannot span lines)";
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            sb.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    sb.Append(line[i++]);
                }
                fields.Add(sb.ToString());
                if (i < line.Length && line[i] != ',')
                    return $"field {fields.Count}: text after the closing quote at column {i + 1}";
            }
            else
            {
                var end = line.IndexOf(',', i);
                var field = end < 0 ? line[i..] : line[i..end];
                if (field.Contains('"', StringComparison.Ordinal))
                    return $"field {fields.Count + 1}: a quote inside an unquoted field (quote the whole field and double the quote)";
                fields.Add(field);
                i = end < 0 ? line.Length : end;
            }
            if (i >= line.Length)
                return null;
            i++; // the comma
            if (i == line.Length)
            {
                fields.Add("");
                return null;
            }
        }
    }
}
