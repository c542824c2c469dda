using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using IdNode.Core.Handles;
using IdNode.Core.Ports;
using IdNode.Core.Identifiers;
using IdNode.Core.Json;
using IdNode.Core.Node;
using IdNode.Core.Records;
using IdNode.Core.Registry;
using IdNode.Core.Services;

namespace IdNode.Server.Http;

/// <summary>
/// <c>GET /{identifier}</c> for people scanning a QR code: a 302 to the identifier's location
/// (a <c>10320/loc</c> value chosen by <c>?locatt=key:value</c> then weight, else the first URL
/// value), <c>?urlappend=</c> appended. <c>?noredirect</c> shows the values instead: JSON when the
/// client asks for JSON, a readable HTML page otherwise.
/// </summary>
public static class ProxyEndpoint
{
    public static IEndpointRouteBuilder MapProxy(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/{**identifier}", ["GET", "HEAD"], HandleAsync);
        return app;
    }

    private static async Task HandleAsync(HttpContext context, Resolver resolver, NodeSettings node)
    {
        var request = context.Request;
        var wantsJson = WantsJson(request);
        string? display = null;
        try
        {
            var path = RawPath.Of(context, out _);
            display = RawPath.Decode(path.Length > 1 ? path[1..] : "");
            if (!IdentifierParser.TryParse(display, node.Rules, out var id, out var error))
            {
                await ErrorAsync(context, wantsJson, StatusCodes.Status400BadRequest, ResponseCode.InvalidHandle, display, error.Message);
                return;
            }
            var query = request.Query;
            var entry = await resolver.ResolveAsync(id.Key, query.ContainsKey("auth"), context.RequestAborted);
            if (entry.Record is not { } record)
            {
                await ErrorAsync(context, wantsJson, StatusCodes.Status404NotFound, ResponseCode.HandleNotFound, id.Display, "Handle Not Found");
                return;
            }
            var values = record.Values.Where(v => v.IsPublicRead).ToList();
            if (!query.ContainsKey("noredirect"))
            {
                var target = ChooseLocation(values, query["locatt"].ToString());
                if (target is not null)
                {
                    context.Response.StatusCode = StatusCodes.Status302Found;
                    context.Response.Headers.Location = target + query["urlappend"].ToString();
                    return;
                }
            }
            if (wantsJson)
                await HandleResponses.WriteAsync(context, StatusCodes.Status200OK, entry.PublicJson!, null);
            else
                await WriteHtmlAsync(context, StatusCodes.Status200OK, record.Handle, Page(record.Handle, values));
        }
        catch (ReferralException e) when (!request.Query.ContainsKey("noredirect") && display is not null)
        {
            // Self-hosted prefix: send the person scanning on to the enterprise's own node, query kept (locatt, urlappend).
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = EnterpriseSite.ProxyUrl(e.Site, display) + request.QueryString.Value;
        }
        catch (ReferralException e)
        {
            context.Response.Headers.Location = e.Location;
            if (wantsJson)
                await HandleResponses.WriteAsync(context, HandleStatus.For(e.Code), HandleJsonWriter.Error(e, display), null);
            else
                await WriteHtmlAsync(context, HandleStatus.For(e.Code), display ?? "",
                    $"<h1>{Enc(e.Message)}</h1><p><a href=\"{Enc(e.Location)}\">{Enc(e.Location)}</a></p>");
        }
        catch (HandleException e)
        {
            await ErrorAsync(context, wantsJson, HandleStatus.For(e.Code), e.Code, display, e.Message);
        }
        catch (StoreUnavailableException)
        {
            await ErrorAsync(context, wantsJson, StatusCodes.Status503ServiceUnavailable, ResponseCode.ServerTooBusy, display, StoreErrors.Message);
        }
    }

    private static bool WantsJson(HttpRequest request)
    {
        var accept = request.Headers.Accept.ToString();
        return accept.Contains("application/json", StringComparison.OrdinalIgnoreCase)
               && !accept.Contains("text/html", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The redirect target, or null when the identifier has no usable location.</summary>
    public static string? ChooseLocation(IReadOnlyList<HandleValue> values, string locatt)
    {
        foreach (var v in values)
            if (string.Equals(v.Type, WellKnown.Loc, StringComparison.OrdinalIgnoreCase) && v.Data.Text is { } xml
                && ChooseFromLoc(xml, locatt) is { } fromLoc)
                return fromLoc;
        foreach (var v in values.OrderBy(v => v.Index))
            if (string.Equals(v.Type, WellKnown.Url, StringComparison.OrdinalIgnoreCase) && v.Data.Text is { } url && IsRedirectable(url))
                return url;
        return null;
    }

    private static string? ChooseFromLoc(string xml, string locatt)
    {
        var locations = new List<(string Href, double Weight, Dictionary<string, string> Attributes)>();
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "location")
                    continue;
                var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                while (reader.MoveToNextAttribute())
                    attributes[reader.LocalName] = reader.Value;
                if (!attributes.TryGetValue("href", out var href) || !IsRedirectable(href))
                    continue;
                var weight = attributes.TryGetValue("weight", out var w) && double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : 1;
                locations.Add((href, weight, attributes));
            }
        }
        catch (XmlException)
        {
            return null;
        }
        var colon = locatt.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            var (key, value) = (locatt[..colon], locatt[(colon + 1)..]);
            foreach (var l in locations)
                if (l.Attributes.TryGetValue(key, out var v) && string.Equals(v, value, StringComparison.OrdinalIgnoreCase))
                    return l.Href;
        }
        // Highest weight wins (deterministic; weight 0 = only when selected by locatt).
        return locations.Where(l => l.Weight > 0).OrderByDescending(l => l.Weight).Select(l => l.Href).FirstOrDefault();
    }

    // Only absolute http(s)/ftp targets: a javascript: or relative Location would be a trap for the person scanning.
    private static bool IsRedirectable(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "ftp";

    private static Task ErrorAsync(HttpContext context, bool wantsJson, int status, ResponseCode code, string? handle, string message)
        => wantsJson
            ? HandleResponses.WriteAsync(context, status, HandleJsonWriter.Error(code, handle, message), null)
            : WriteHtmlAsync(context, status, handle ?? "", $"<h1>{Enc(message)}</h1><p>{Enc(handle ?? "")}</p>");

    private static string Page(string handle, IReadOnlyList<HandleValue> values)
    {
        var sb = new StringBuilder();
        sb.Append("<h1>").Append(Enc(handle)).Append("</h1><table><thead><tr><th>Index</th><th>Type</th><th>Timestamp</th><th>Data</th></tr></thead><tbody>");
        foreach (var v in values)
        {
            sb.Append("<tr><td>").Append(v.Index.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(Enc(v.Type))
              .Append("</td><td>").Append(HandleJsonWriter.FormatTimestamp(v.Timestamp)).Append("</td><td>");
            var text = v.Data.Format switch
            {
                DataFormat.String => v.Data.Text!,
                DataFormat.Base64 => Convert.ToBase64String(v.Data.Bytes!),
                DataFormat.Admin => $"handle={v.Data.Admin!.Handle}; index={v.Data.Admin.Index}; permissions={v.Data.Admin.Permissions}",
                _ => v.Data.Json!,
            };
            if (string.Equals(v.Type, WellKnown.Url, StringComparison.OrdinalIgnoreCase) && IsRedirectable(text))
                sb.Append("<a href=\"").Append(Enc(text)).Append("\">").Append(Enc(text)).Append("</a>");
            else
                sb.Append(Enc(text));
            sb.Append("</td></tr>");
        }
        sb.Append("</tbody></table>");
        return sb.ToString();
    }

    private static Task WriteHtmlAsync(HttpContext context, int status, string title, string body)
    {
        var html = $"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{Enc(title)}</title>"
                   + "<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top;word-break:break-all}</style>"
                   + $"</head><body>{body}</body></html>";
        var bytes = Encoding.UTF8.GetBytes(html);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        return HandleResponses.WriteBodyAsync(context.Response, bytes);
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
