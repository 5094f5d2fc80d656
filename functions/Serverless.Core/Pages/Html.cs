using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;

namespace Serverless.Core.Pages;

/// <summary>
/// Writing HTML safely and accessibly: every text encoded; every input with a label bound to it, its hint and its
/// errors tied to it by <c>aria-describedby</c>, and marked <c>aria-invalid</c> when it failed.
/// </summary>
public static class Html
{
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    /// <summary>The element id of a form field's input (<c>budgetLines[0].item</c> gives <c>f-budgetLines-0-item</c>).</summary>
    public static string Id(string name)
    {
        var id = new StringBuilder("f-");
        foreach (var c in name)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                id.Append(c);
            }
            else if (id[^1] != '-')
            {
                id.Append('-');
            }
        }

        return id.ToString().TrimEnd('-');
    }

    /// <summary>The hidden fields every form carries: the anti-forgery token, and the key that makes its post idempotent.</summary>
    public static string FormGuard(PageContext p, string? key)
    {
        ArgumentNullException.ThrowIfNull(p);
        var guard = $"<input type=\"hidden\" name=\"{FormProtection.Field}\" value=\"{E(p.Token)}\">\n";
        return key is null ? guard : guard + $"<input type=\"hidden\" name=\"{PageContext.KeyField}\" value=\"{E(key)}\">\n";
    }

    /// <summary>
    /// A labelled input. <paramref name="control"/> is the control's tag without its closing bracket, given the
    /// attributes the field adds (id, name, aria); a textarea or a select also passes its <paramref name="inner"/>.
    /// </summary>
    public static string Field(FormErrors errors, string name, string label, string control, string? hint = null,
        string? value = null, string? inner = null, bool required = false, string? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var id = Id(name);
        var own = errors.Of(name);
        var described = new List<string>();
        var html = new StringBuilder();
        html.Append(own.Count > 0 ? "<div class=\"field invalid\">" : "<div class=\"field\">");
        html.Append(CultureInfo.InvariantCulture, $"<label for=\"{id}\">{E(label)}{(required ? " <span class=\"required\">*</span>" : string.Empty)}</label>");
        if (hint is not null)
        {
            described.Add(id + "-hint");
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"hint\" id=\"{id}-hint\">{E(hint)}</p>");
        }

        if (own.Count > 0)
        {
            described.Add(id + "-error");
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"error\" id=\"{id}-error\">");
            html.AppendJoin(" ", own.Select(E));
            html.Append("</p>");
        }

        html.Append('<').Append(control).Append(CultureInfo.InvariantCulture, $" id=\"{id}\" name=\"{E(name)}\"");
        if (described.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $" aria-describedby=\"{string.Join(' ', described)}\"");
        }

        if (own.Count > 0)
        {
            html.Append(" aria-invalid=\"true\"");
        }

        if (required)
        {
            html.Append(" required");
        }

        if (attributes is not null)
        {
            html.Append(' ').Append(attributes);
        }

        if (control == "textarea")
        {
            html.Append('>').Append(E(value)).Append("</textarea>");
        }
        else if (control == "select")
        {
            html.Append('>').Append(inner).Append("</select>");
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture, $" value=\"{E(value)}\">");
        }

        html.Append("</div>\n");
        return html.ToString();
    }

    /// <summary>The summary of a refused post at the top of the form: each error, linked to its field.</summary>
    public static string ErrorSummary(PageContext p, FormErrors errors, Func<string, string> labelOf)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(labelOf);
        if (!errors.Any && errors.General is null)
        {
            return string.Empty;
        }

        var html = new StringBuilder("<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"error-summary-title\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<h2 id=\"error-summary-title\">{E(errors.GeneralTitle ?? p.T("请修改以下内容后再提交", "Please correct the following and send again"))}</h2>\n");
        if (errors.General is { } general)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{E(general)}</p>\n");
        }

        if (errors.Any)
        {
            html.Append("<ul>\n");
            foreach (var (field, messages) in errors.All)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"#{errors.AnchorOf(field)}\">{E(labelOf(field))}</a>: {string.Join(" ", messages.Select(E))}</li>\n");
            }

            html.Append("</ul>\n");
        }

        html.Append("</div>\n");
        return html.ToString();
    }

    /// <summary>A value the reader typed, to show it again after a refused post.</summary>
    public static string? Posted(IFormCollection? form, string name) =>
        form is not null && form.TryGetValue(name, out var value) ? value.ToString() : null;
}

/// <summary>
/// A refused post's errors by field, in the reader's language. An error whose field has no input of its own
/// (<c>budgetLines</c>: the lines do not add up) is shown at the group it belongs to.
/// </summary>
public sealed class FormErrors
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);
    private readonly HashSet<string> shown = new(StringComparer.Ordinal);

    public static FormErrors None => new();

    /// <summary>A refusal that is no field's: the deadline passed, the form expired.</summary>
    public string? General { get; private set; }

    public string? GeneralTitle { get; private set; }

    public bool Any => errors.Count > 0;

    /// <summary>The refusal these errors come from, answered as such to a client that does not read HTML.</summary>
    public Problem? Source { get; private set; }

    public IEnumerable<KeyValuePair<string, List<string>>> All => errors;

    /// <summary>
    /// Whether a form shows this refusal itself, with what was typed (a field wrong, the deadline passed, too much
    /// sent); any other (not found, not allowed) is answered as a page of its own.
    /// </summary>
    public static bool Shows(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return problem.Status is 400 or 409 or 413;
    }

    public static FormErrors From(Lang lang, Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var result = new FormErrors { Source = problem };
        foreach (var (field, messages) in problem.Errors ?? new Dictionary<string, string[]>())
        {
            result.errors[field] = messages.Select(m => Words.Message(lang, m) ?? m).ToList();
        }

        if (result.errors.Count == 0)
        {
            result.GeneralTitle = Words.Title(lang, problem);
            result.General = PageReply.Detail(lang, problem);
        }

        return result;
    }

    /// <summary>The messages of this field, which is shown as an input.</summary>
    public IReadOnlyList<string> Of(string field)
    {
        shown.Add(field);
        return errors.TryGetValue(field, out var list) ? list : [];
    }

    /// <summary>The messages of a group's own key and of any field inside it that has no input of its own.</summary>
    public IReadOnlyList<string> OfGroup(string group, IEnumerable<string> inputs)
    {
        var own = inputs.ToHashSet(StringComparer.Ordinal);
        shown.Add(group);
        return errors.Where(e => (e.Key == group || e.Key.StartsWith(group + "[", StringComparison.Ordinal) || e.Key.StartsWith(group + ".", StringComparison.Ordinal)) && !own.Contains(e.Key))
            .SelectMany(e => e.Value).ToList();
    }

    /// <summary>Where the summary's link for this field goes: its input, or the group it belongs to.</summary>
    public string AnchorOf(string field)
    {
        if (shown.Contains(field))
        {
            return Html.Id(field);
        }

        var group = field.Split('[', '.')[0];
        return Html.Id(group);
    }
}
