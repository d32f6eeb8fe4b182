using System.Buffers.Binary;
using System.Buffers.Text;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Api.Tests.Corpus;

/// <summary>
/// Builds a request body from a case's <c>body</c>: a string (UTF-8 text), one segment object, or an array of
/// segments concatenated. Segments keep hostile inputs small in the repository:
/// <list type="bullet">
/// <item><c>{"repeat": "[", "times": 100000}</c> — the text (or <c>"of"</c>: a segment) repeated.</item>
/// <item><c>{"json": …}</c> — any JSON value, serialized compactly.</item>
/// <item><c>{"base64": "…"}</c>, <c>{"hex": "…"}</c> — raw bytes.</item>
/// <item><c>{"zlib": segment}</c> — zlib-compressed bytes (bombs); <c>{"b64": segment}</c> — base64 text (e.g. a <c>data:</c> URI's payload);
/// <c>{"b64url": segment}</c> — base64url text.</item>
/// <item><c>{"png": {"chunks": [{"type", "data", "crc": "bad", "length"}], "signature": false}}</c> — a PNG with computed CRCs.</item>
/// <item><c>{"jwt": {"header", "payload", "signature"}}</c> — a compact JWS from JSON parts or <c>$jwtHeader/$jwtPayload/$jwtSignature</c>
/// of the service-issued VC-JWT; signature <c>"hs256-issuer-key"</c> MACs with the issuer's public JWK as the secret.</item>
/// <item><c>{"credential": {"set": {pointer: value}, "remove": [pointer], "wrap": "verifiableCredential"}}</c> — the service-issued
/// Data Integrity credential, edited; with <c>"resign": {"verificationMethod", "as": "jwt"}</c> signed again by the corpus attacker's
/// key (<c>{{attackerKey}}</c>): Data Integrity under that method, or a VC-JWT with that kid (none: the key as header jwk).</item>
/// <item><c>{"file": "$bakedPng"}</c> — bytes the corpus set-up fetched (a baked PNG/SVG), optionally with <c>"flip": [offsets]</c>.</item>
/// </list>
/// Every segment also takes <c>"take": n</c> (keep the first n bytes) and <c>"dropLast": n</c>. Strings anywhere may hold
/// <c>{{name}}</c> placeholders filled from the set-up (ids, list ids).
/// </summary>
internal static class CorpusBody
{
    private static readonly Ed25519KeyPair s_attacker = Ed25519KeyPair.Generate();

    /// <summary>The corpus attacker's public key (<c>{{attackerKey}}</c>), a Multikey to put in a verification method's fragment.</summary>
    public static string AttackerKey => s_attacker.Ed25519PublicKey.PublicKeyMultibase;

    public static byte[] Build(JsonElement? body, CorpusContext context)
    {
        if (body is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        using var output = new MemoryStream();
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement segment in element.EnumerateArray())
            {
                output.Write(Segment(segment, context));
            }
        }
        else
        {
            output.Write(Segment(element, context));
        }

        return output.ToArray();
    }

    private static byte[] Segment(JsonElement segment, CorpusContext context)
    {
        if (segment.ValueKind == JsonValueKind.String)
        {
            return Encoding.UTF8.GetBytes(context.Fill(segment.GetString()!));
        }

        if (segment.ValueKind == JsonValueKind.Array)
        {
            return Build(segment, context);
        }

        if (segment.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("A body segment is a string, an array or an object: " + segment.GetRawText());
        }

        byte[] bytes = Raw(segment, context);
        if (segment.TryGetProperty("take", out JsonElement take))
        {
            bytes = bytes[..Math.Min(bytes.Length, take.GetInt32())];
        }

        if (segment.TryGetProperty("dropLast", out JsonElement drop))
        {
            bytes = bytes[..Math.Max(0, bytes.Length - drop.GetInt32())];
        }

        return bytes;
    }

    private static byte[] Raw(JsonElement segment, CorpusContext context)
    {
        if (segment.TryGetProperty("repeat", out JsonElement repeat))
        {
            byte[] unit = repeat.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(repeat.GetString()!) : Segment(repeat, context);
            int times = segment.GetProperty("times").GetInt32();
            byte[] result = new byte[checked(unit.Length * times)];
            for (int i = 0; i < times; i++)
            {
                unit.CopyTo(result, i * unit.Length);
            }

            return result;
        }

        if (segment.TryGetProperty("json", out JsonElement json))
        {
            return Encoding.UTF8.GetBytes(context.Fill(json)?.ToJsonString() ?? "null");
        }

        if (segment.TryGetProperty("base64", out JsonElement base64))
        {
            return Convert.FromBase64String(base64.GetString()!);
        }

        if (segment.TryGetProperty("hex", out JsonElement hex))
        {
            return Convert.FromHexString(hex.GetString()!.Replace(" ", string.Empty, StringComparison.Ordinal));
        }

        if (segment.TryGetProperty("zlib", out JsonElement zlib))
        {
            using var compressed = new MemoryStream();
            using (var z = new ZLibStream(compressed, CompressionLevel.SmallestSize))
            {
                z.Write(Segment(zlib, context));
            }

            return compressed.ToArray();
        }

        if (segment.TryGetProperty("b64", out JsonElement b64))
        {
            return Encoding.ASCII.GetBytes(Convert.ToBase64String(Segment(b64, context)));
        }

        if (segment.TryGetProperty("b64url", out JsonElement b64url))
        {
            return Encoding.ASCII.GetBytes(Base64Url.EncodeToString(Segment(b64url, context)));
        }

        if (segment.TryGetProperty("png", out JsonElement png))
        {
            return Png(png, context);
        }

        if (segment.TryGetProperty("jwt", out JsonElement jwt))
        {
            return Encoding.ASCII.GetBytes(Jwt(jwt, context));
        }

        if (segment.TryGetProperty("credential", out JsonElement credential))
        {
            return Credential(credential, context);
        }

        if (segment.TryGetProperty("file", out JsonElement file))
        {
            byte[] bytes = (byte[])context.Files[file.GetString()!].Clone();
            if (segment.TryGetProperty("flip", out JsonElement flips))
            {
                foreach (JsonElement offset in flips.EnumerateArray())
                {
                    int at = offset.GetInt32();
                    bytes[at < 0 ? bytes.Length + at : at] ^= 0x5A;
                }
            }

            return bytes;
        }

        throw new InvalidDataException("Unknown body segment: " + segment.GetRawText());
    }

    // Signature (unless "signature": false), then each chunk: length (or "length" override), type, data, CRC (or a wrong one).
    private static byte[] Png(JsonElement png, CorpusContext context)
    {
        using var output = new MemoryStream();
        if (!png.TryGetProperty("signature", out JsonElement signature) || signature.GetBoolean())
        {
            output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        }

        Span<byte> number = stackalloc byte[4];
        foreach (JsonElement chunk in png.GetProperty("chunks").EnumerateArray())
        {
            byte[] type = Encoding.ASCII.GetBytes(chunk.GetProperty("type").GetString()!);
            byte[] data = chunk.TryGetProperty("data", out JsonElement d) ? Build(d, context) : [];
            BinaryPrimitives.WriteUInt32BigEndian(number, chunk.TryGetProperty("length", out JsonElement length) ? length.GetUInt32() : (uint)data.Length);
            output.Write(number);
            output.Write(type);
            output.Write(data);
            uint crc = Crc32([.. type, .. data]);
            if (chunk.TryGetProperty("crc", out JsonElement crcMode) && crcMode.GetString() == "bad")
            {
                crc ^= 0xDEADBEEF;
            }

            BinaryPrimitives.WriteUInt32BigEndian(number, crc);
            output.Write(number);
        }

        return output.ToArray();
    }

    private static string Jwt(JsonElement jwt, CorpusContext context)
    {
        string header = JwtPart(jwt, "header", context);
        string payload = JwtPart(jwt, "payload", context);
        string signature = jwt.TryGetProperty("signature", out JsonElement s) ? s.GetString()! : string.Empty;
        signature = signature switch
        {
            "hs256-issuer-key" => Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(context.Values["issuerPublicJwk"]), Encoding.ASCII.GetBytes(header + "." + payload))),
            "$jwtSignature" => context.Values["jwt"].Split('.')[2],
            _ => context.Fill(signature),
        };
        return header + "." + payload + "." + signature;
    }

    private static string JwtPart(JsonElement jwt, string name, CorpusContext context)
    {
        JsonElement part = jwt.GetProperty(name);
        return part.ValueKind switch
        {
            JsonValueKind.String when part.GetString() == "$jwtHeader" => context.Values["jwt"].Split('.')[0],
            JsonValueKind.String when part.GetString() == "$jwtPayload" => context.Values["jwt"].Split('.')[1],
            // Any other string is the segment text as is (bad base64url and the like).
            JsonValueKind.String => context.Fill(part.GetString()!),
            _ => Base64Url.EncodeToString(Segment(part, context)),
        };
    }

    private static byte[] Credential(JsonElement spec, CorpusContext context)
    {
        JsonNode credential = JsonNode.Parse(context.Values["credential"])!;

        // The cases edit one proof as an object (/proof/proofValue); an Open Badge keeps its one proof in an array, and
        // the verifier reads either form alike, so the proof is edited as the object it holds.
        if (credential["proof"] is JsonArray { Count: 1 } proofs)
        {
            JsonNode only = proofs[0]!;
            proofs.Clear();
            credential["proof"] = only;
        }

        if (spec.TryGetProperty("set", out JsonElement set))
        {
            foreach (JsonProperty edit in set.EnumerateObject())
            {
                Pointer(credential, edit.Name, out JsonNode parent, out string last);
                JsonNode? value = context.Fill(edit.Value);
                if (parent is JsonArray array)
                {
                    array[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] = value;
                }
                else
                {
                    parent[last] = value;
                }
            }
        }

        if (spec.TryGetProperty("remove", out JsonElement remove))
        {
            foreach (JsonElement pointer in remove.EnumerateArray())
            {
                Pointer(credential, pointer.GetString()!, out JsonNode parent, out string last);
                parent.AsObject().Remove(last);
            }
        }

        if (spec.TryGetProperty("resign", out JsonElement resign))
        {
            // Signed again by the corpus attacker: a proof that verifies, so only the issuer-key step can refuse it.
            credential.AsObject().Remove("proof");
            string? method = resign.TryGetProperty("verificationMethod", out JsonElement vm) ? context.Fill(vm.GetString()!) : null;
            using JsonDocument unsigned = JsonDocument.Parse(credential.ToJsonString());
            if (resign.TryGetProperty("as", out JsonElement form) && form.GetString() == "jwt")
            {
                return Encoding.ASCII.GetBytes(new VcJwtSigner(s_attacker, new VcJwtSignerOptions { KeyId = method, IncludeJwk = method is null }).Sign(unsigned.RootElement));
            }

            credential = JsonNode.Parse(EddsaRdfc2022.Sign(unsigned.RootElement, new ProofOptions { VerificationMethod = method ?? throw new InvalidDataException("resign needs a verificationMethod") }, s_attacker))!;
        }

        JsonNode result = spec.TryGetProperty("wrap", out JsonElement wrap)
            ? new JsonObject { [wrap.GetString()!] = credential }
            : credential;
        return Encoding.UTF8.GetBytes(result.ToJsonString());
    }

    private static void Pointer(JsonNode root, string pointer, out JsonNode parent, out string last)
    {
        string[] parts = pointer.Split('/')[1..];
        JsonNode node = root;
        foreach (string part in parts[..^1])
        {
            node = node is JsonArray array ? array[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)]! : node[part]!;
        }

        parent = node;
        last = parts[^1];
    }

    // PNG's CRC-32 (ISO 3309, reflected 0xEDB88320), bitwise: the corpus builds a handful of small chunks.
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return crc ^ 0xFFFFFFFF;
    }
}
