using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BadgeIssuer.Api.Features.Issue;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.Storage;

namespace BadgeIssuer.Api.Features.Credentials;

/// <summary>
/// The credential page a browser gets at a credential's URL: the badge image, what it was awarded for, who issued it,
/// to whom (a display name only, never the email or its hash), when, the verdict of a verification run at request time,
/// the downloads and LinkedIn's add-to-profile link, with Open Graph tags for link previews.
/// <para>
/// Built by plain string building through <see cref="HtmlBuilder"/> (markup from constants, every value encoded): one
/// page and a 404 do not need a template engine, and no Razor compilation or package joins the build. The page has no
/// script and loads nothing from elsewhere: its style is inline, allowed by hash in its content security policy
/// (<see cref="Policy"/>), and its one image is the badge PNG this service serves beside it.
/// </para>
/// <para>
/// What the page says about the badge comes from the verifier's summary of the signed content (present only when a
/// proof verified), so content changed after signing is never shown as the badge's; the verdict is the sentence of
/// <see cref="VerificationReport.Verdict"/>, as <c>POST /credentials/verify</c> reports it.
/// </para>
/// </summary>
internal static class CredentialPage
{
    /// <summary>Longest name shown (issuance allows 256; a credential issued elsewhere is bounded here).</summary>
    internal const int MaxNameLength = 256;

    /// <summary>Longest description or narrative shown (issuance allows 8,192).</summary>
    internal const int MaxTextLength = 8192;

    /// <summary>Longest Open Graph description (previews show a line or two).</summary>
    internal const int MaxPreviewLength = 300;

    internal const string Style =
        ":root{color-scheme:light}"
        + "*{box-sizing:border-box}"
        + "body{margin:0;font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"DejaVu Sans\",sans-serif;line-height:1.5;color:#1a1a1a;background:#f3f4f6}"
        + "header,main,footer{max-width:46rem;margin:0 auto;padding:1rem 1.25rem}"
        + "header p{margin:0;font-size:.9rem;color:#3f4349}"
        + "main{background:#fff;border:1px solid #d5d8dd;border-radius:.5rem}"
        + ".badge{display:flex;gap:1.25rem;align-items:flex-start;flex-wrap:wrap}"
        + ".badge img{width:10rem;height:10rem;object-fit:contain;flex:none}"
        + ".badge div{flex:1 1 16rem;min-width:0}"
        + "h1{font-size:1.75rem;line-height:1.25;margin:0 0 .5rem}"
        + "h2{font-size:1.1rem;margin:1.5rem 0 .5rem}"
        + "p,dd,li{overflow-wrap:anywhere}"
        + ".verdict{margin:1.25rem 0;padding:.75rem 1rem;border-left:.35rem solid;border-radius:.25rem}"
        + ".verdict h2{margin:0 0 .25rem}"
        + ".verdict p{margin:0}"
        + ".valid{background:#e7f5ec;border-color:#1e7b43;color:#0c3a1e}"
        + ".invalid{background:#fdecea;border-color:#b3261e;color:#5a0f0b}"
        + ".checked{font-size:.85rem;margin-top:.25rem}"
        + "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:1rem 0}"
        + "dt{font-weight:600}"
        + "dd{margin:0}"
        + ".text{white-space:pre-line;margin:0}"
        + ".muted{color:#3f4349;font-size:.9rem}"
        + "a{color:#0b57d0}"
        + "a:focus-visible{outline:2px solid #0b57d0;outline-offset:2px}"
        + "ul{padding-left:1.25rem;margin:.25rem 0}"
        + "footer{font-size:.85rem;color:#3f4349}";

    /// <summary>
    /// The page's content security policy: nothing but its own inline style (by hash) and images from this origin or
    /// <c>data:</c>; no script, no base or form target, no framing.
    /// </summary>
    internal static readonly string Policy =
        "default-src 'none'; img-src 'self' data:; style-src '" + StyleHash(Style) + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    internal static string StyleHash(string style) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style)));

    /// <summary>The page of <paramref name="credential"/> (its local id <paramref name="localId"/>) with the verdict of <paramref name="report"/>.</summary>
    public static string Render(CredentialRecord credential, string localId, VerificationReport report, DateTimeOffset checkedAt)
    {
        CredentialSummary? summary = report.Summary;
        AchievementSummary? achievement = summary?.Achievement;
        string? rawName = achievement?.Name ?? summary?.Name;
        string name = HtmlBuilder.OneLine(rawName, MaxNameLength) ?? "Open Badge";
        string? rawIssuer = summary?.Issuer?.Name;
        string? issuerName = HtmlBuilder.OneLine(rawIssuer, MaxNameLength);
        string? issuerId = HtmlBuilder.OneLine(summary?.Issuer?.Id ?? report.IssuerId, 2048);
        string? description = HtmlBuilder.Paragraphs(achievement?.Description ?? summary?.Description, MaxTextLength);
        string fileBase = Uri.EscapeDataString(localId);
        string pageUrl = credential.Id + ".html";
        string imageUrl = credential.Id + ".png";

        var html = new HtmlBuilder();
        html.Markup("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Markup("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Markup("<meta name=\"robots\" content=\"noindex\">\n")
            .Markup("<title>").Text(issuerName is null ? name : name + " — " + issuerName).Markup("</title>\n");

        string preview = PreviewText(summary, issuerName, description);
        html.Markup("<meta name=\"description\"").Attribute("content", preview).Markup(">\n")
            .Markup("<meta property=\"og:type\" content=\"website\">\n")
            .Markup("<meta property=\"og:title\"").Attribute("content", name).Markup(">\n")
            .Markup("<meta property=\"og:description\"").Attribute("content", preview).Markup(">\n")
            .Markup("<meta property=\"og:image\"").Attribute("content", imageUrl).Markup(">\n")
            .Markup("<meta property=\"og:image:type\" content=\"image/png\">\n")
            .Markup("<meta property=\"og:image:alt\"").Attribute("content", "Badge image: " + name).Markup(">\n")
            .Markup("<meta property=\"og:url\"").Attribute("content", pageUrl).Markup(">\n")
            .Markup("<link rel=\"canonical\"").Attribute("href", pageUrl).Markup(">\n")
            .Markup("<link rel=\"icon\" type=\"image/png\"").Attribute("href", fileBase + ".png").Markup(">\n");
        if (credential.SignedJson is not null)
        {
            html.Markup("<link rel=\"alternate\" type=\"application/vc+ld+json\"").Attribute("href", fileBase + ".json").Markup(">\n");
        }

        html.Markup("<style>").Markup(Style).Markup("</style>\n</head>\n<body>\n")
            .Markup("<header><p>Open Badges 3.0 credential</p></header>\n")
            .Markup("<main>\n<article aria-labelledby=\"name\">\n<div class=\"badge\">\n")
            .Markup("<img").Attribute("src", fileBase + ".png").Attribute("alt", "Badge image: " + name).Markup(" width=\"160\" height=\"160\">\n")
            .Markup("<div>\n<h1 id=\"name\" dir=\"auto\">").Text(name).Markup("</h1>\n");
        if (HtmlBuilder.OneLine(achievement?.AchievementType, MaxNameLength) is string type)
        {
            html.Markup("<p class=\"muted\">").Text(Words(type)).Markup("</p>\n");
        }

        html.Markup("</div>\n</div>\n");

        // The verdict, as the verify endpoint states it, read now.
        if (report.Verified)
        {
            html.Markup("<section class=\"verdict valid\"");
        }
        else
        {
            html.Markup("<section class=\"verdict invalid\"");
        }

        html.Markup(" aria-labelledby=\"verification\">\n<h2 id=\"verification\">Verification</h2>\n<p id=\"verdict\">").Text(report.Verdict).Markup("</p>\n")
            .Markup("<p class=\"checked\">Checked by this service on ").Text(checkedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))
            .Markup(" UTC: signature, validity dates and revocation status.</p>\n</section>\n");

        if (summary is not null)
        {
            WriteFacts(html, summary, issuerName, issuerId);
        }

        if (description is not null)
        {
            html.Markup("<h2>Description</h2>\n<p class=\"text\" dir=\"auto\">").Text(description).Markup("</p>\n");
        }

        string? narrative = HtmlBuilder.Paragraphs(achievement?.CriteriaNarrative, MaxTextLength);
        string? criteriaUrl = HtmlBuilder.WebUrl(achievement?.CriteriaId);
        if (narrative is not null || criteriaUrl is not null)
        {
            html.Markup("<h2>Criteria</h2>\n");
            if (narrative is not null)
            {
                html.Markup("<p class=\"text\" dir=\"auto\">").Text(narrative).Markup("</p>\n");
            }

            if (criteriaUrl is not null)
            {
                html.Markup("<p><a").Attribute("href", criteriaUrl).Markup(" rel=\"nofollow noopener noreferrer\">The criteria as the issuer publishes them</a></p>\n");
            }
        }

        html.Markup("</article>\n");
        WriteDownloads(html, credential, fileBase);
        if (report.Verified)
        {
            // LinkedIn's add-to-profile link, only for a credential that verifies now: certUrl is the credential's URL,
            // which answers browsers with this page.
            string linkedIn = LinkedIn.AddToProfileUrl(rawName ?? name, rawIssuer ?? issuerId ?? "Issuer", credential.IssuedAt, credential.Id, localId);
            html.Markup("<section aria-labelledby=\"share\">\n<h2 id=\"share\">Share</h2>\n<ul>\n")
                .Markup("<li><a id=\"linkedin\"").Attribute("href", linkedIn).Markup(" rel=\"nofollow noopener noreferrer\">Add to your LinkedIn profile</a></li>\n")
                .Markup("<li>Link to this page: <a").Attribute("href", pageUrl).Markup(">").Text(pageUrl).Markup("</a></li>\n")
                .Markup("</ul>\n</section>\n");
        }

        html.Markup("</main>\n<footer><p>Anyone can check this credential without this page: download it and verify it with an Open Badges 3.0 verifier.</p></footer>\n")
            .Markup("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>The 404 page for a browser at an address where no credential is.</summary>
    public static string RenderNotFound() => new HtmlBuilder()
        .Markup("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .Markup("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .Markup("<meta name=\"robots\" content=\"noindex\">\n")
        .Markup("<title>Credential not found</title>\n")
        .Markup("<link rel=\"icon\" href=\"data:,\">\n")
        .Markup("<style>").Markup(Style).Markup("</style>\n</head>\n<body>\n")
        .Markup("<header><p>Open Badges 3.0 credential</p></header>\n")
        .Markup("<main>\n<h1>Credential not found</h1>\n")
        .Markup("<p>No credential is at this address. Check that the link is complete: a credential's address ends in a long random code, and the issuer or the learner who shared it can give it again.</p>\n")
        .Markup("</main>\n</body>\n</html>\n")
        .ToString();

    private static void WriteFacts(HtmlBuilder html, CredentialSummary summary, string? issuerName, string? issuerId)
    {
        html.Markup("<dl>\n");
        if (issuerName is not null || issuerId is not null)
        {
            html.Markup("<dt>Issued by</dt>\n<dd>");
            string? issuerUrl = HtmlBuilder.WebUrl(summary.Issuer?.Url) ?? HtmlBuilder.WebUrl(summary.Issuer?.Id);
            if (issuerUrl is not null)
            {
                html.Markup("<a").Attribute("href", issuerUrl).Markup(" rel=\"nofollow noopener noreferrer\"><bdi>").Text(issuerName ?? issuerId!).Markup("</bdi></a>");
            }
            else
            {
                html.Markup("<bdi>").Text(issuerName ?? issuerId!).Markup("</bdi>");
            }

            if (issuerName is not null && issuerId is not null)
            {
                html.Markup("<br><span class=\"muted\">").Text(issuerId).Markup("</span>");
            }

            html.Markup("</dd>\n");
        }

        // The display name only: never an email address or an identity hash.
        if (HtmlBuilder.OneLine(summary.RecipientName, MaxNameLength) is string recipient)
        {
            html.Markup("<dt>Awarded to</dt>\n<dd><bdi>").Text(recipient).Markup("</bdi></dd>\n");
        }

        WriteDate(html, "<dt>Issued on</dt>\n<dd>", HtmlBuilder.DateOf(summary.ValidFrom));
        if (HtmlBuilder.DateOf(summary.AwardedDate) is string awarded && awarded != HtmlBuilder.DateOf(summary.ValidFrom))
        {
            WriteDate(html, "<dt>Awarded on</dt>\n<dd>", awarded);
        }

        WriteDate(html, "<dt>Valid until</dt>\n<dd>", HtmlBuilder.DateOf(summary.ValidUntil));
        html.Markup("</dl>\n");
    }

    private static void WriteDate(HtmlBuilder html, [System.Diagnostics.CodeAnalysis.ConstantExpected] string label, string? date)
    {
        if (date is not null)
        {
            html.Markup(label).Markup("<time").Attribute("datetime", date).Markup(">").Text(date).Markup("</time></dd>\n");
        }
    }

    private static void WriteDownloads(HtmlBuilder html, CredentialRecord credential, string fileBase)
    {
        html.Markup("<section aria-labelledby=\"downloads\">\n<h2 id=\"downloads\">Download</h2>\n<ul>\n");
        if (credential.SignedJson is not null)
        {
            html.Markup("<li><a").Attribute("href", fileBase + ".json").Markup(">The credential (JSON-LD with its Data Integrity proof)</a></li>\n");
        }

        if (credential.Jwt is not null)
        {
            html.Markup("<li><a").Attribute("href", fileBase + ".jwt").Markup(">The credential as a VC-JWT</a></li>\n");
        }

        html.Markup("<li><a").Attribute("href", fileBase + ".png").Markup(">Badge image with the credential baked in (PNG)</a></li>\n")
            .Markup("<li><a").Attribute("href", fileBase + ".svg").Markup(">Badge image with the credential baked in (SVG)</a></li>\n")
            .Markup("</ul>\n</section>\n");
    }

    // "Open Badge issued by 'Acme College': Safe MIG welding basics." — neutral (a preview is cached long after a
    // revocation), bounded, one line.
    private static string PreviewText(CredentialSummary? summary, string? issuerName, string? description)
    {
        string text = issuerName is null ? "Open Badge" : "Open Badge issued by " + issuerName;
        if (summary is not null && HtmlBuilder.OneLine(description, MaxPreviewLength) is string line)
        {
            text += ": " + line;
        }

        return HtmlBuilder.OneLine(text, MaxPreviewLength) ?? "Open Badge";
    }

    // OB achievement types are PascalCase words ("Certificate", "MicroCredential"); an extension type ("ext:…") is shown as written.
    private static string Words(string type)
    {
        if (type.StartsWith("ext:", StringComparison.Ordinal))
        {
            return type[4..];
        }

        var words = new StringBuilder(type.Length + 8);
        for (int i = 0; i < type.Length; i++)
        {
            bool wordStart = i > 0 && char.IsUpper(type[i]) && char.IsLower(type[i - 1]);
            if (wordStart)
            {
                words.Append(' ').Append(char.ToLowerInvariant(type[i]));
            }
            else
            {
                words.Append(type[i]);
            }
        }

        return words.ToString();
    }
}
