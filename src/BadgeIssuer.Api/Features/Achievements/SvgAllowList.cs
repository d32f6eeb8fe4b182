using System.Xml;
using BadgeIssuer.Core.Baking;

namespace BadgeIssuer.Api.Features.Achievements;

/// <summary>
/// The SVG an achievement may carry as its image: static SVG only, by allow-list. Every element must be a listed SVG
/// element (shapes, paths, text, gradients, patterns, clip paths, masks, markers, filters, <c>defs</c>/<c>g</c>/<c>symbol</c>/<c>use</c>,
/// <c>title</c>/<c>desc</c>/<c>metadata</c>, <c>style</c>) and every attribute a listed geometry, presentation, accessibility or
/// <c>data-*</c> attribute; nothing else passes, so script, <c>foreignObject</c>, links, embedded images, animation
/// (<c>set</c>, <c>animate*</c>) and event attributes are refused without being named. References must stay inside the
/// document: <c>href</c>/<c>xlink:href</c> only as <c>#id</c>, and every <c>url(…)</c> in an attribute, a <c>style</c> attribute or
/// a <c>style</c> element only as <c>url(#id)</c>; CSS escapes, <c>@import</c> and the CSS image functions are refused.
/// </summary>
/// <remarks>
/// The image is refused (400 <c>invalid-image</c>, the message naming the element or attribute), not cleaned: a stored image
/// is exactly what the issuer sent, and an issuer learns what to remove instead of finding a silently altered badge.
/// Parsed with <see cref="XmlReader"/>, DTDs prohibited (so no DOCTYPE at all, not even an external one), no resolver, at
/// most the image limit in characters; processing instructions (e.g. <c>xml-stylesheet</c>) are refused. Elements in the
/// Open Badges namespace are allowed only as the baked <c>openbadges:credential</c> (a badge downloaded from here may be
/// uploaded again; baking replaces it). Editor-specific namespaces (Inkscape, Sodipodi, Illustrator) are refused: export
/// plain SVG.
/// </remarks>
internal static class SvgAllowList
{
    private const string SvgNamespace = "http://www.w3.org/2000/svg";
    private const string XlinkNamespace = "http://www.w3.org/1999/xlink";
    private const string XmlNamespace = "http://www.w3.org/XML/1998/namespace";
    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    private static readonly HashSet<string> s_elements = new(StringComparer.Ordinal)
    {
        "svg", "g", "defs", "symbol", "use", "title", "desc", "metadata", "style",
        "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan", "textPath",
        "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
        "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix", "feDiffuseLighting",
        "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR",
        "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight", "feSpecularLighting",
        "feSpotLight", "feTile", "feTurbulence",
    };

    // Attributes without a namespace (href among them: SVG 2 writes it plain, checked as a fragment below).
    private static readonly HashSet<string> s_attributes = new(StringComparer.Ordinal)
    {
        // Core, structure, accessibility.
        "id", "class", "style", "lang", "version", "baseProfile", "viewBox", "preserveAspectRatio", "transform", "href",
        "role", "aria-label", "aria-labelledby", "aria-describedby", "aria-hidden", "focusable", "type", "media",
        // Geometry.
        "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr", "width", "height", "d", "points", "pathLength",
        // Text.
        "dx", "dy", "rotate", "textLength", "lengthAdjust", "startOffset", "method", "spacing", "side",
        // Paint servers, clipping, masking, markers.
        "gradientUnits", "gradientTransform", "spreadMethod", "offset", "patternUnits", "patternContentUnits", "patternTransform",
        "clipPathUnits", "maskUnits", "maskContentUnits", "markerUnits", "markerWidth", "markerHeight", "refX", "refY", "orient",
        // Filters.
        "filterUnits", "primitiveUnits", "in", "in2", "result", "stdDeviation", "mode", "values", "operator", "k1", "k2", "k3", "k4",
        "kernelMatrix", "order", "divisor", "bias", "targetX", "targetY", "edgeMode", "preserveAlpha", "surfaceScale",
        "diffuseConstant", "specularConstant", "specularExponent", "kernelUnitLength", "scale", "xChannelSelector",
        "yChannelSelector", "radius", "baseFrequency", "numOctaves", "seed", "stitchTiles", "azimuth", "elevation",
        "pointsAtX", "pointsAtY", "pointsAtZ", "limitingConeAngle", "z", "tableValues", "slope", "intercept", "amplitude", "exponent",
    };

    // Presentation attributes (SVG 2 §6.6 and filter effects): CSS values, checked as CSS.
    private static readonly HashSet<string> s_presentation = new(StringComparer.Ordinal)
    {
        "alignment-baseline", "baseline-shift", "clip", "clip-path", "clip-rule", "color", "color-interpolation",
        "color-interpolation-filters", "color-rendering", "direction", "display", "dominant-baseline", "fill", "fill-opacity",
        "fill-rule", "filter", "flood-color", "flood-opacity", "font", "font-family", "font-size", "font-size-adjust",
        "font-stretch", "font-style", "font-variant", "font-weight", "image-rendering", "isolation", "kerning", "letter-spacing",
        "lighting-color", "marker", "marker-start", "marker-mid", "marker-end", "mask", "mix-blend-mode", "opacity", "overflow",
        "paint-order", "shape-rendering", "stop-color", "stop-opacity", "stroke", "stroke-dasharray", "stroke-dashoffset",
        "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-opacity", "stroke-width", "text-anchor",
        "text-decoration", "text-rendering", "transform-origin", "unicode-bidi", "vector-effect", "visibility", "word-spacing",
        "writing-mode",
    };

    private static readonly System.Buffers.SearchValues<char> s_notInFragment = System.Buffers.SearchValues.Create("#:/\\ \t\r\n\"'()<>");

    // CSS that can load or run something without a url(…) token, or hide one (escapes).
    private static readonly string[] s_forbiddenCss = ["\\", "@import", "expression(", "image-set(", "image(", "cross-fade(", "element(", "src(", "javascript:", "vbscript:", "data:"];

    /// <summary>Null when <paramref name="svg"/> is static SVG by the allow-list; else what is refused, naming the element or attribute.</summary>
    public static string? Problem(byte[] svg, int maxCharacters)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = maxCharacters,
            MaxCharactersFromEntities = 0,
            IgnoreComments = true,
        };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(svg, writable: false), settings);

            // A <style> element's CSS is all its text and CDATA together (a comment or CDATA boundary may split a token).
            System.Text.StringBuilder? style = null;
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.ProcessingInstruction:
                        return $"An SVG image must not contain processing instructions (<?{reader.Name} …?>).";
                    case XmlNodeType.Element when style is not null:
                        return $"The SVG <style> element must hold only text, not <{reader.Name}>.";
                    case XmlNodeType.Element:
                        if (ElementProblem(reader) is { } elementProblem)
                        {
                            return elementProblem;
                        }

                        style = reader.LocalName == "style" && !reader.IsEmptyElement ? new() : null;
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace when style is not null:
                        style.Append(reader.Value);
                        break;
                    case XmlNodeType.EndElement when style is not null:
                        if (CssProblem(style.ToString()) is { } css)
                        {
                            return $"The SVG <style> element {css}.";
                        }

                        style = null;
                        break;
                }
            }
        }
        catch (XmlException e)
        {
            // DtdProcessing.Prohibit: any DOCTYPE fails here, as does an undeclared entity or a document over the limit.
            return "The SVG cannot be read under the image rules (no DOCTYPE, well-formed, within the size limit): " + e.Message;
        }

        return null;
    }

    private static string? ElementProblem(XmlReader reader)
    {
        string element = reader.LocalName;
        bool credential = reader.NamespaceURI == BakedBadge.SvgNamespace && element == "credential";
        if (!credential && !(reader.NamespaceURI == SvgNamespace && s_elements.Contains(element)))
        {
            return reader.NamespaceURI == SvgNamespace
                ? $"An SVG image must not contain <{reader.Name}> (only static SVG elements are allowed)."
                : $"An SVG image must not contain <{reader.Name}> in namespace '{reader.NamespaceURI}' (only SVG elements are allowed).";
        }

        while (reader.MoveToNextAttribute())
        {
            string name = reader.Name;
            string value = reader.Value;
            bool allowed = reader.NamespaceURI switch
            {
                XmlnsNamespace => true,
                XmlNamespace => reader.LocalName is "space" or "lang",
                XlinkNamespace => reader.LocalName is "href" or "title",
                "" when credential => reader.LocalName == "verify",
                "" => s_attributes.Contains(reader.LocalName) || s_presentation.Contains(reader.LocalName) || reader.LocalName.StartsWith("data-", StringComparison.Ordinal),
                _ => false,
            };
            if (!allowed)
            {
                return $"An SVG image must not have the attribute {name} on <{element}> (only static SVG attributes are allowed).";
            }

            if (reader.NamespaceURI == XmlnsNamespace || credential)
            {
                continue;
            }

            if (reader.LocalName == "href" && !IsFragment(value))
            {
                return $"An SVG image's {name} on <{element}> must be a same-document reference '#id'.";
            }

            bool isCss = reader.NamespaceURI.Length == 0 && (reader.LocalName == "style" || s_presentation.Contains(reader.LocalName));
            if ((isCss ? CssProblem(value) : UrlProblem(value)) is { } valueProblem)
            {
                return $"The attribute {name} on <{element}> {valueProblem}.";
            }
        }

        reader.MoveToElement();
        return null;
    }

    // "#" and an XML name-ish fragment; nothing that a browser could resolve outside the document.
    private static bool IsFragment(string value)
    {
        string trimmed = value.Trim(' ', '\t', '\r', '\n');
        return trimmed.Length > 1 && trimmed[0] == '#' && !trimmed.AsSpan(1).ContainsAny(s_notInFragment);
    }

    private static string? CssProblem(string css)
    {
        // Browsers ignore ASCII whitespace and controls inside a scheme ("java\tscript:"); compare without them.
        string folded = string.Concat(css.Where(c => c > ' ')).ToLowerInvariant();
        foreach (string token in s_forbiddenCss)
        {
            if (folded.Contains(token, StringComparison.Ordinal))
            {
                return $"must not contain '{token}'";
            }
        }

        return UrlProblem(css);
    }

    // Every url(…) must be url(#id), optionally quoted.
    private static string? UrlProblem(string value)
    {
        string folded = string.Concat(value.Where(c => c > ' ')).ToLowerInvariant();
        if (folded.Contains("javascript:", StringComparison.Ordinal) || folded.Contains("vbscript:", StringComparison.Ordinal))
        {
            return "must not link to script";
        }

        for (int at = folded.IndexOf("url(", StringComparison.Ordinal); at >= 0; at = folded.IndexOf("url(", at + 4, StringComparison.Ordinal))
        {
            int start = at + 4;
            if (start < folded.Length && folded[start] is '"' or '\'')
            {
                start++;
            }

            if (start >= folded.Length || folded[start] != '#')
            {
                return "may use url(…) only as a same-document reference url(#id)";
            }
        }

        return null;
    }
}
