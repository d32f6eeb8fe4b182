// A wallet's answer to a VC-API DIDAuthentication request, for trying an exchange by hand (README "Learner delivery").
//   node samples/vcapi-didauth.mjs CHALLENGE DOMAIN
// Makes a fresh Ed25519 key, names it as did:key, and prints {"verifiablePresentation": …}: a presentation
//   {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"], "holder": DID}
// with a Data Integrity proof (eddsa-rdfc-2022, proofPurpose authentication, CHALLENGE and DOMAIN) to stdout, and the
// holder's DID to stderr. Node.js built-ins only: the presentation has this one fixed shape, so its RDFC-1.0 canonical
// N-Quads (and the proof options') are written out here rather than computed by a JSON-LD library. The key is thrown
// away (a real wallet keeps it).
import { createHash, generateKeyPairSync, sign } from 'node:crypto';

const [challenge, domain] = process.argv.slice(2);
if (!challenge || !domain) {
  process.stderr.write('usage: node samples/vcapi-didauth.mjs CHALLENGE DOMAIN\n');
  process.exit(2);
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58btc(bytes) {
  let n = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));
  let out = '';
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}

// An N-Quads string literal (the escapes RDFC-1.0 output uses).
const literal = (s) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r') + '"';
const canonical = (lines) => lines.sort().map((l) => l + ' .\n').join('');
const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest();

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
const did = 'did:key:z' + base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), raw]));
const verificationMethod = did + '#' + did.slice('did:key:'.length);
const created = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

const presentation = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], holder: did };
const options = {
  type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', created, verificationMethod,
  proofPurpose: 'authentication', challenge, domain,
};
const SEC = 'https://w3id.org/security#';
const document = canonical([
  `_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiablePresentation>`,
  `_:c14n0 <https://www.w3.org/2018/credentials#holder> <${did}>`,
]);
const proofConfig = canonical([
  `_:c14n0 <http://purl.org/dc/terms/created> ${literal(created)}^^<http://www.w3.org/2001/XMLSchema#dateTime>`,
  `_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <${SEC}DataIntegrityProof>`,
  `_:c14n0 <${SEC}challenge> ${literal(challenge)}`,
  `_:c14n0 <${SEC}cryptosuite> "eddsa-rdfc-2022"^^<${SEC}cryptosuiteString>`,
  `_:c14n0 <${SEC}domain> ${literal(domain)}`,
  `_:c14n0 <${SEC}proofPurpose> <${SEC}authenticationMethod>`,
  `_:c14n0 <${SEC}verificationMethod> <${verificationMethod}>`,
]);
// eddsa-rdfc-2022: sign SHA-256(proof options) || SHA-256(document).
const signature = sign(null, Buffer.concat([sha256(proofConfig), sha256(document)]), privateKey);
const verifiablePresentation = { ...presentation, proof: { ...options, proofValue: 'z' + base58btc(signature) } };
process.stdout.write(JSON.stringify({ verifiablePresentation }) + '\n');
process.stderr.write(did + '\n');
