namespace BadgeIssuer.Core.Schemas;

/// <summary>One JSON Schema assertion that failed.</summary>
/// <param name="InstanceLocation">Where in the instance, as a JSON Pointer (RFC 6901; <c>""</c> is the root). For a
/// missing required property this points at the property that should be there.</param>
/// <param name="Path">The same location as a JSONPath-style string, e.g. <c>$.credentialSubject.achievement.criteria</c> or <c>$['@context'][1]</c>.</param>
/// <param name="Keyword">The schema keyword that failed (<c>required</c>, <c>type</c>, <c>pattern</c>, <c>oneOf</c>...).</param>
/// <param name="Message">The validator's message.</param>
/// <param name="SchemaLocation">The absolute location of the failing subschema (schema <c>$id</c> plus fragment).</param>
public sealed record SchemaViolation(string InstanceLocation, string Path, string Keyword, string Message, string SchemaLocation);
