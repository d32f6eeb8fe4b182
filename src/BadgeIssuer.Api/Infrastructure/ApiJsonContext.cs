using System.Text.Json;
using System.Text.Json.Serialization;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// Source-generated JSON metadata for the DTOs every feature shares (problem details, audit detail maps). Each feature
/// keeps the metadata of its own DTOs in a <c>…JsonContext</c> of its own, with these same options; all of them are in the
/// HTTP JSON options (<c>Program.cs</c>). Credentials themselves stay raw UTF-8.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
