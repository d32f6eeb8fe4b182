// Issues Open Badges 3.0 credentials with the JavaScript reference stack, fully offline, so that BadgeIssuer's
// verifier can be checked against credentials it did not produce ("reverse interop").
//
//   node sign.mjs job.json              -> JSON object on stdout, exit 0
//   (a job that cannot be read at all)  -> message on stderr, exit 2
//
// Every key is derived from the job's "seed" (32 bytes, hex), so a job always yields the same keys and DIDs:
//   Ed25519  the seed itself (RFC 8032 private key)         -> issuer did:key:z6Mk…, VM did:key:z6Mk…#z6Mk…
//   P-256    d = HMAC-SHA256(seed, "badgeissuer-interop P-256 " || counter), first value in [1, n-1]
//                                                            -> issuer did:jwk:…, VM did:jwk:…#0
//   RSA-2048 p, q from an HMAC-SHA256(seed, …) byte stream, sieve + Miller–Rabin, e = 65537
//                                                            -> issuer did:jwk:…, VM did:jwk:…#0
//   "P-256 did:key": the same P-256 key as a Multikey       -> issuer did:key:zDn…, VM did:key:zDn…#zDn…
//                                                               (the ecdsa-rdfc-2019 Data Integrity items)
// Ed25519 proofs and RSA PKCS#1 v1.5 signatures are deterministic, so those outputs are byte-for-byte
// reproducible; ES256 and ecdsa-rdfc-2019 signatures are randomized (the key is still the same).
//
// Job file (paths are relative to the job file's folder):
//   {
//     "seed": "<64 hex digits>",
//     "created": "2025-03-01T09:00:05Z",             proof "created" / status list validFrom
//     "credentialFile": "credential.json",           optional; default: the repo's samples/ob-credential.json
//     "subjectId": "did:example:learner",            optional: credentialSubject.id (and the JWT "sub")
//     "validUntil": "2030-01-01T00:00:00Z",          optional: validUntil (and the JWT "exp")
//     "statusLists": [                               optional: BitstringStatusListCredentials, signed here
//       {"url": "https://status.example.net/lists/1", "statusPurpose": "revocation", "set": [7]}
//     ],
//     "items": [
//       {"kind": "di", "suite": "eddsa-rdfc-2022"},             DataIntegrityProof (@digitalbazaar/vc)
//       {"kind": "di", "suite": "Ed25519Signature2020"},        @digitalbazaar/ed25519-signature-2020
//       {"kind": "di", "suite": "Ed25519Signature2018"},        @digitalbazaar/ed25519-signature-2018 (detached JWS)
//       {"kind": "di", "suite": "ecdsa-rdfc-2019"},             DataIntegrityProof + ecdsa-rdfc-2019, P-256 did:key
//       {"kind": "jwt", "alg": "EdDSA"},                        jose; header kid (default) or "keyRef": "jwk"
//       {"kind": "jwt", "alg": "ES256"}, {"kind": "jwt", "alg": "RS256", "keyRef": "jwk"},
//       {"kind": "di", "suite": "eddsa-rdfc-2022", "status": [{"list": "https://status.example.net/lists/1", "index": 7}]}
//     ]
//   }
// An item may also name "file": its document is then written there too (relative to the job file), which is how
// committed fixtures are made (tests/BadgeIssuer.Core.Tests/TestData/ed25519-signature-2018/README.md).
//
// Output: {"keys": {Ed25519|P-256|RSA-2048: {issuer, verificationMethod, publicJwk}},
//          "statusLists": [{url, issuer, document}],
//          "items": [{index, kind, suite|alg, keyRef, issuer, verificationMethod, publicJwk, format: "json"|"jwt",
//                     document (the exact text: pretty JSON or the compact JWS), selfCheck: {verified, errors}}]}
// "selfCheck" is the JS stack verifying its own output (vc.verifyCredential with the same suite, or
// jose.jwtVerify), so a credential the C# side rejects is known to be one the JS side accepts.
//
// The document loader answers only bundled contexts (src/BadgeIssuer.JsonLd/Contexts), did:key (derived) and the
// status lists this job signs; anything else throws. The network is never used.

import {createECDH, createHmac, createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify} from 'node:crypto';
import {readFileSync, writeFileSync} from 'node:fs';
import {dirname, isAbsolute, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {errorMessages, loadBundledContexts, readJson} from './common.mjs';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519Signature2018} from '@digitalbazaar/ed25519-signature-2018';
import {Ed25519VerificationKey2018} from '@digitalbazaar/ed25519-verification-key-2018';
import {cryptosuite as ecdsaRdfc2019CryptoSuite} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didKey from '@digitalbazaar/did-method-key';
import {
  checkStatus as checkBitstringStatus,
  createCredential as createStatusListCredential,
  createList as createStatusList
} from '@digitalbazaar/vc-bitstring-status-list';
import * as jose from 'jose';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const defaultCredentialFile = join(repoRoot, 'samples', 'ob-credential.json');

const ED25519_2020_CONTEXT = 'https://w3id.org/security/suites/ed25519-2020/v1';
const ED25519_2018_CONTEXT = 'https://w3id.org/security/suites/ed25519-2018/v1';
const CREDENTIALS_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
const DID_V1_CONTEXT = 'https://www.w3.org/ns/did/v1';
const STATUS_LIST_LENGTH = 131072; // the W3C minimum (16 KB uncompressed)

// ---------------------------------------------------------------- helpers




const b64u = bytes => Buffer.from(bytes).toString('base64url');

// ---------------------------------------------------------------- deterministic keys

// An HMAC-SHA256 byte stream keyed by the seed: block i = HMAC(seed, label || " " || i).
function byteStream(seed, label) {
  let counter = 0;
  let buffer = Buffer.alloc(0);
  return length => {
    while(buffer.length < length) {
      const block = createHmac('sha256', seed).update(`${label} ${counter++}`).digest();
      buffer = Buffer.concat([buffer, block]);
    }
    const out = buffer.subarray(0, length);
    buffer = buffer.subarray(length);
    return Buffer.from(out);
  };
}

const bigFromBytes = bytes => BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));

function bytesFromBig(value) {
  let hex = value.toString(16);
  if(hex.length % 2) {
    hex = '0' + hex;
  }
  return Buffer.from(hex, 'hex');
}

function modPow(base, exponent, modulus) {
  let result = 1n;
  base %= modulus;
  while(exponent > 0n) {
    if(exponent & 1n) {
      result = (result * base) % modulus;
    }
    base = (base * base) % modulus;
    exponent >>= 1n;
  }
  return result;
}

function modInverse(a, m) {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while(r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if(oldR !== 1n) {
    throw new Error('not invertible');
  }
  return ((oldS % m) + m) % m;
}

const SMALL_PRIMES = (() => {
  const limit = 4000;
  const sieve = new Uint8Array(limit);
  const primes = [];
  for(let i = 2; i < limit; i++) {
    if(!sieve[i]) {
      primes.push(BigInt(i));
      for(let j = i * i; j < limit; j += i) {
        sieve[j] = 1;
      }
    }
  }
  return primes;
})();

// Miller–Rabin with the first 24 primes as bases: error below 4^-24 for a random candidate (far less in fact).
function isProbablePrime(n) {
  for(const p of SMALL_PRIMES) {
    if(n === p) {
      return true;
    }
    if(n % p === 0n) {
      return false;
    }
  }
  let d = n - 1n;
  let r = 0;
  while((d & 1n) === 0n) {
    d >>= 1n;
    r++;
  }
  witness: for(const a of SMALL_PRIMES.slice(0, 24)) {
    let x = modPow(a, d, n);
    if(x === 1n || x === n - 1n) {
      continue;
    }
    for(let i = 1; i < r; i++) {
      x = (x * x) % n;
      if(x === n - 1n) {
        continue witness;
      }
    }
    return false;
  }
  return true;
}

function deterministicPrime(next, bits, e) {
  for(;;) {
    const bytes = next(bits / 8);
    bytes[0] |= 0xc0; // top two bits: the product of two such primes has exactly 2 * bits bits
    bytes[bytes.length - 1] |= 0x01;
    const candidate = bigFromBytes(bytes);
    if(isProbablePrime(candidate) && (candidate - 1n) % e !== 0n) {
      return candidate;
    }
  }
}

function rsaKeyFromSeed(seed) {
  const e = 65537n;
  const next = byteStream(seed, 'badgeissuer-interop RSA-2048');
  const p = deterministicPrime(next, 1024, e);
  let q;
  do {
    q = deterministicPrime(next, 1024, e);
  } while(q === p);
  const [P, Q] = p > q ? [p, q] : [q, p];
  const n = P * Q;
  const phi = (P - 1n) * (Q - 1n);
  const d = modInverse(e, phi);
  const jwk = {
    kty: 'RSA',
    n: b64u(bytesFromBig(n)),
    e: b64u(bytesFromBig(e)),
    d: b64u(bytesFromBig(d)),
    p: b64u(bytesFromBig(P)),
    q: b64u(bytesFromBig(Q)),
    dp: b64u(bytesFromBig(d % (P - 1n))),
    dq: b64u(bytesFromBig(d % (Q - 1n))),
    qi: b64u(bytesFromBig(modInverse(Q, P)))
  };
  // Let OpenSSL check the key: it must import and sign/verify a round trip.
  const privateKey = createPrivateKey({key: jwk, format: 'jwk'});
  const probe = Buffer.from('badgeissuer-interop RSA self-test');
  const signature = cryptoSign('sha256', probe, privateKey);
  if(!cryptoVerify('sha256', probe, createPublicKey(privateKey), signature)) {
    throw new Error('derived RSA key failed its sign/verify self-test');
  }
  return jwk;
}

function p256KeyFromSeed(seed) {
  const order = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const next = byteStream(seed, 'badgeissuer-interop P-256');
  for(;;) {
    const d = next(32);
    const value = bigFromBytes(d);
    if(value > 0n && value < order) {
      const ecdh = createECDH('prime256v1');
      ecdh.setPrivateKey(d);
      const publicKey = ecdh.getPublicKey(); // 0x04 || x || y
      return {
        kty: 'EC',
        crv: 'P-256',
        x: b64u(publicKey.subarray(1, 33)),
        y: b64u(publicKey.subarray(33, 65)),
        d: b64u(d)
      };
    }
  }
}

function publicJwkOf(jwk) {
  // RFC 7638 member sets: what did:jwk encodes and what a verifier is given.
  switch(jwk.kty) {
    case 'OKP': return {crv: jwk.crv, kty: jwk.kty, x: jwk.x};
    case 'EC': return {crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y};
    case 'RSA': return {e: jwk.e, kty: jwk.kty, n: jwk.n};
    default: throw new Error(`unknown kty ${jwk.kty}`);
  }
}

function didJwk(publicJwk) {
  const did = 'did:jwk:' + b64u(Buffer.from(JSON.stringify(publicJwk), 'utf8'));
  return {did, verificationMethod: `${did}#0`};
}

async function deriveKeys(seedHex) {
  if(!/^[0-9a-fA-F]{64}$/.test(seedHex ?? '')) {
    throw new Error('"seed" must be 64 hex digits (32 bytes)');
  }
  const seed = Buffer.from(seedHex, 'hex');

  const probe = await Ed25519Multikey.generate({seed: new Uint8Array(seed)});
  const edDid = `did:key:${probe.publicKeyMultibase}`;
  const edKeyPair = await Ed25519Multikey.generate({seed: new Uint8Array(seed), controller: edDid});
  // RFC 8037: d is the 32-byte seed (the multikey library's secretKey is seed || public key).
  const edJwk = {kty: 'OKP', crv: 'Ed25519', x: b64u(edKeyPair.publicKey), d: b64u(seed)};

  const p256 = p256KeyFromSeed(seed);
  const rsa = rsaKeyFromSeed(seed);
  const p256Did = didJwk(publicJwkOf(p256));
  const rsaDid = didJwk(publicJwkOf(rsa));

  // The same P-256 key as a Multikey did:key (zDn…), for ecdsa-rdfc-2019.
  const p256Probe = await EcdsaMultikey.fromJwk({jwk: p256, secretKey: true});
  const p256KeyDid = `did:key:${p256Probe.publicKeyMultibase}`;
  const p256KeyPair = await EcdsaMultikey.fromJwk({
    jwk: p256, secretKey: true, controller: p256KeyDid, id: `${p256KeyDid}#${p256Probe.publicKeyMultibase}`
  });

  // The Ed25519 key as an Ed25519VerificationKey2018 (publicKeyBase58), for Ed25519Signature2018: same DID, same id.
  const ed2018KeyPair = await Ed25519VerificationKey2018.generate({seed: new Uint8Array(seed), controller: edDid});

  return {
    Ed25519: {
      issuer: edDid, verificationMethod: edKeyPair.id, keyPair: edKeyPair,
      privateJwk: edJwk, publicJwk: publicJwkOf(edJwk), alg: 'EdDSA'
    },
    'P-256': {issuer: p256Did.did, verificationMethod: p256Did.verificationMethod, privateJwk: p256, publicJwk: publicJwkOf(p256), alg: 'ES256'},
    'P-256 did:key': {
      issuer: p256KeyDid, verificationMethod: p256KeyPair.id, keyPair: p256KeyPair,
      privateJwk: p256, publicJwk: publicJwkOf(p256)
    },
    'Ed25519 2018': {
      issuer: edDid, verificationMethod: ed2018KeyPair.id, keyPair: ed2018KeyPair,
      privateJwk: edJwk, publicJwk: publicJwkOf(edJwk)
    },
    'RSA-2048': {issuer: rsaDid.did, verificationMethod: rsaDid.verificationMethod, privateJwk: rsa, publicJwk: publicJwkOf(rsa), alg: 'RS256'}
  };
}

const KEY_FOR_ALG = {EdDSA: 'Ed25519', ES256: 'P-256', RS256: 'RSA-2048'};

// ---------------------------------------------------------------- offline document loader

const didKeyDriver = didKey.driver();
didKeyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
didKeyDriver.use({multibaseMultikeyHeader: 'zDna', fromMultibase: EcdsaMultikey.from});

// Ed25519Signature2018 wants its verification method as an Ed25519VerificationKey2018 with the suite context (the
// did:key driver gives a Multikey): the job's Ed25519 did:key answered in that form, then the ordinary loader.
function createDocumentLoader2018(loader, keyPair) {
  const method = keyPair.export({publicKey: true, includeContext: true});
  const controller = {
    '@context': [DID_V1_CONTEXT, ED25519_2018_CONTEXT],
    id: keyPair.controller,
    verificationMethod: [keyPair.export({publicKey: true})],
    assertionMethod: [keyPair.id],
    authentication: [keyPair.id]
  };
  return async url => {
    if(url === keyPair.id) {
      return {contextUrl: null, documentUrl: url, document: method};
    }
    if(url === keyPair.controller) {
      return {contextUrl: null, documentUrl: url, document: controller};
    }
    return loader(url);
  };
}

function createDocumentLoader({contexts, documents}) {
  return async url => {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
    }
    if(documents.has(url)) {
      return {contextUrl: null, documentUrl: url, document: documents.get(url)};
    }
    if(url.startsWith('did:key:')) {
      return {contextUrl: null, documentUrl: url, document: await didKeyDriver.get({url})};
    }
    throw new Error(`offline document loader: refusing ${url} (the network is never used)`);
  };
}

// ---------------------------------------------------------------- credentials

function buildCredential(template, job, issuerId, status, extraContext) {
  const credential = structuredClone(template);
  delete credential.proof;
  if(extraContext && !credential['@context'].includes(extraContext)) {
    credential['@context'] = [...credential['@context'], extraContext];
  }
  if(credential.issuer && typeof credential.issuer === 'object') {
    credential.issuer = {...credential.issuer, id: issuerId};
  } else {
    credential.issuer = issuerId;
  }
  if(job.subjectId) {
    // id first, as a person would write it.
    credential.credentialSubject = {id: job.subjectId, ...credential.credentialSubject};
  }
  if(job.validUntil) {
    credential.validUntil = job.validUntil;
  }
  delete credential.credentialStatus;
  if(status && status.length > 0) {
    const entries = status.map(({list, index}) => {
      const definition = (job.statusLists ?? []).find(l => l.url === list);
      if(!definition) {
        throw new Error(`status entry names ${list}, which is not among the job's statusLists`);
      }
      return {
        id: `${list}#${index}`,
        type: 'BitstringStatusListEntry',
        statusPurpose: definition.statusPurpose,
        statusListIndex: String(index),
        statusListCredential: list
      };
    });
    credential.credentialStatus = entries.length === 1 ? entries[0] : entries;
  }
  return credential;
}

function statusEntries(credential) {
  return [].concat(credential.credentialStatus ?? []).filter(e => e?.type === 'BitstringStatusListEntry');
}

function newDataIntegritySuite({signer, date} = {}) {
  return new DataIntegrityProof({signer, date, cryptosuite: eddsaRdfc2022CryptoSuite});
}

async function signStatusLists(job, keys, created, documentLoader, documents) {
  const out = [];
  for(const definition of job.statusLists ?? []) {
    if(!definition.url || !definition.statusPurpose) {
      throw new Error('a status list needs "url" and "statusPurpose"');
    }
    const list = await createStatusList({length: definition.length ?? STATUS_LIST_LENGTH});
    for(const index of definition.set ?? []) {
      list.setStatus(index, true);
    }
    const unsigned = await createStatusListCredential({id: definition.url, list, statusPurpose: definition.statusPurpose});
    unsigned.issuer = keys.Ed25519.issuer;
    unsigned.validFrom = created.toISOString().replace(/\.000Z$/, 'Z');
    const suite = newDataIntegritySuite({signer: keys.Ed25519.keyPair.signer(), date: created});
    const signed = await vc.issue({credential: unsigned, suite, documentLoader});
    documents.set(definition.url, signed);
    out.push({url: definition.url, issuer: keys.Ed25519.issuer, document: JSON.stringify(signed, null, 2)});
  }
  return out;
}

async function signDataIntegrity(item, ctx) {
  let key = ctx.keys.Ed25519;
  const suiteName = item.suite ?? 'eddsa-rdfc-2022';
  let suite;
  let verifySuite;
  let extraContext = null;
  let documentLoader = ctx.documentLoader;
  if(suiteName === 'eddsa-rdfc-2022') {
    suite = newDataIntegritySuite({signer: key.keyPair.signer(), date: ctx.created});
    verifySuite = newDataIntegritySuite();
  } else if(suiteName === 'Ed25519Signature2020') {
    suite = new Ed25519Signature2020({signer: key.keyPair.signer(), date: ctx.created});
    verifySuite = new Ed25519Signature2020();
    extraContext = ED25519_2020_CONTEXT;
  } else if(suiteName === 'Ed25519Signature2018') {
    key = ctx.keys['Ed25519 2018'];
    suite = new Ed25519Signature2018({key: key.keyPair, date: ctx.created});
    verifySuite = new Ed25519Signature2018();
    // credentials/v1 defines the suite's terms itself (the suite refuses its own context next to it).
    extraContext = ctx.template['@context'].includes(CREDENTIALS_V1_CONTEXT) ? null : ED25519_2018_CONTEXT;
    documentLoader = createDocumentLoader2018(ctx.documentLoader, key.keyPair);
  } else if(suiteName === 'ecdsa-rdfc-2019') {
    key = ctx.keys['P-256 did:key'];
    suite = new DataIntegrityProof({signer: key.keyPair.signer(), date: ctx.created, cryptosuite: ecdsaRdfc2019CryptoSuite});
    verifySuite = new DataIntegrityProof({cryptosuite: ecdsaRdfc2019CryptoSuite});
  } else {
    throw new Error(`unknown Data Integrity suite ${JSON.stringify(suiteName)}`);
  }
  const credential = buildCredential(ctx.template, ctx.job, key.issuer, item.status, extraContext);
  const signed = await vc.issue({credential, suite, documentLoader});

  // Self-check: the JS stack verifies what it just signed (status lists included).
  const selfCheck = {verified: false, errors: []};
  try {
    const result = await vc.verifyCredential({
      credential: signed,
      suite: verifySuite,
      documentLoader,
      checkStatus: async ({credential: c}) => {
        if(statusEntries(c).length === 0) {
          return {verified: true};
        }
        const status = await checkBitstringStatus({
          credential: c, suite: newDataIntegritySuite(), documentLoader: ctx.documentLoader,
          verifyBitstringStatusListCredential: true, verifyMatchingIssuers: true
        });
        if(!status.verified) {
          selfCheck.errors.push(...errorMessages(status.error).map(m => `status: ${m}`));
        }
        return status;
      }
    });
    selfCheck.verified = result.verified === true;
    errorMessages(result.error, selfCheck.errors);
    for(const r of result.results ?? []) {
      errorMessages(r.error, selfCheck.errors);
    }
  } catch(e) {
    selfCheck.errors.push(`self-check threw: ${e.message}`);
  }

  return {
    suite: suiteName, issuer: key.issuer, verificationMethod: key.verificationMethod, publicJwk: key.publicJwk,
    format: 'json', document: JSON.stringify(signed, null, 2), selfCheck
  };
}

async function signJwt(item, ctx) {
  const alg = item.alg ?? 'EdDSA';
  const keyName = KEY_FOR_ALG[alg];
  if(!keyName) {
    throw new Error(`unsupported alg ${JSON.stringify(alg)} (EdDSA, ES256, RS256)`);
  }
  const key = ctx.keys[keyName];
  const keyRef = item.keyRef ?? 'kid';
  const credential = buildCredential(ctx.template, ctx.job, key.issuer, item.status, null);

  // OB 3.0 §8.2: typ JWT, the key by kid or jwk; the payload is the credential plus iss/jti/sub/nbf(/exp).
  const header = {alg, typ: 'JWT'};
  if(keyRef === 'kid') {
    header.kid = key.verificationMethod;
  } else if(keyRef === 'jwk') {
    header.jwk = key.publicJwk;
  } else {
    throw new Error(`keyRef must be "kid" or "jwk", not ${JSON.stringify(keyRef)}`);
  }
  const payload = {...credential, iss: key.issuer, jti: credential.id};
  const subjectId = credential.credentialSubject?.id;
  if(subjectId) {
    payload.sub = subjectId;
  }
  payload.nbf = Math.floor(Date.parse(credential.validFrom) / 1000);
  if(credential.validUntil) {
    payload.exp = Math.floor(Date.parse(credential.validUntil) / 1000);
  }
  const privateKey = await jose.importJWK({...key.privateJwk, alg}, alg);
  const jws = await new jose.SignJWT(payload).setProtectedHeader(header).sign(privateKey);

  const selfCheck = {verified: false, errors: []};
  try {
    const publicKey = await jose.importJWK({...key.publicJwk, alg}, alg);
    await jose.jwtVerify(jws, publicKey, {algorithms: [alg], typ: 'JWT', issuer: key.issuer, currentDate: ctx.created});
    selfCheck.verified = true;
  } catch(e) {
    selfCheck.errors.push(`jose: ${e.code ? e.code + ': ' : ''}${e.message}`);
  }

  return {
    alg, keyRef, issuer: key.issuer, verificationMethod: key.verificationMethod, publicJwk: key.publicJwk,
    format: 'jwt', document: jws, selfCheck
  };
}

const KINDS = {di: signDataIntegrity, jwt: signJwt};

// ---------------------------------------------------------------- main

async function main() {
  const jobPath = process.argv[2];
  if(!jobPath) {
    throw new Error('usage: node sign.mjs job.json');
  }
  const job = readJson(jobPath);
  const jobDir = dirname(resolve(jobPath));
  const path = p => (isAbsolute(p) ? p : join(jobDir, p));
  if(!Array.isArray(job.items)) {
    throw new Error('the job has no "items" array');
  }
  const created = new Date(job.created ?? '2025-03-01T09:00:05Z');
  if(Number.isNaN(created.getTime())) {
    throw new Error(`"created" is not a date: ${job.created}`);
  }

  const keys = await deriveKeys(job.seed);
  const contexts = loadBundledContexts();
  const documents = new Map();
  const documentLoader = createDocumentLoader({contexts, documents});
  const template = readJson(job.credentialFile ? path(job.credentialFile) : defaultCredentialFile);
  const statusLists = await signStatusLists(job, keys, created, documentLoader, documents);
  const ctx = {job, keys, created, documentLoader, template};

  const items = [];
  for(const [index, item] of job.items.entries()) {
    const run = KINDS[item.kind];
    if(!run) {
      throw new Error(`unknown item kind ${JSON.stringify(item.kind)} (di, jwt)`);
    }
    const result = {index, kind: item.kind, ...await run(item, ctx)};
    if(item.file) {
      writeFileSync(path(item.file), result.document + (result.format === 'json' ? '\n' : ''));
    }
    items.push(result);
  }

  const publicKeys = Object.fromEntries(Object.entries(keys).map(([name, k]) =>
    [name, {issuer: k.issuer, verificationMethod: k.verificationMethod, publicJwk: k.publicJwk}]));
  process.stdout.write(JSON.stringify({keys: publicKeys, statusLists, items}, null, 2) + '\n');
}

main().catch(e => {
  process.stderr.write(`sign.mjs: ${e.stack ?? e}\n`);
  process.exit(2);
});
