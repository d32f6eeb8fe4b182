// A wallet's OpenID4VCI key proof, for trying the credential endpoint by hand (README "Learner delivery").
//   node samples/wallet-proof.mjs CREDENTIAL_ISSUER C_NONCE
// Makes a fresh Ed25519 key, names it as did:key, and prints a compact JWS
//   header {"alg":"EdDSA","typ":"openid4vci-proof+jwt","kid":"did:key:z6Mk…#z6Mk…"}
//   payload {"aud": CREDENTIAL_ISSUER, "iat": now, "nonce": C_NONCE}
// to stdout and the holder's DID to stderr. Node.js built-ins only; the key is thrown away (a real wallet keeps it).
import { generateKeyPairSync, sign } from 'node:crypto';

const [audience, nonce] = process.argv.slice(2);
if (!audience || !nonce) {
  process.stderr.write('usage: node samples/wallet-proof.mjs CREDENTIAL_ISSUER C_NONCE\n');
  process.exit(2);
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58btc(bytes) {
  let n = BigInt('0x' + Buffer.from(bytes).toString('hex'));
  let out = '';
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  return out;
}

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
const did = 'did:key:z' + base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), raw]));
const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const input = encode({ alg: 'EdDSA', typ: 'openid4vci-proof+jwt', kid: did + '#' + did.slice('did:key:'.length) })
  + '.' + encode({ aud: audience, iat: Math.floor(Date.now() / 1000), nonce });
process.stdout.write(input + '.' + sign(null, Buffer.from(input), privateKey).toString('base64url') + '\n');
process.stderr.write(did + '\n');
