// Verifies credentials signed by BadgeIssuer with the JavaScript reference stack, fully offline.
//
//   node verify.mjs job.json            -> JSON array of results on stdout, exit 0
//   (a job that cannot be read at all)  -> message on stderr, exit 2
//
// Job file (paths are relative to the job file's folder):
//   {
//     "now": "2026-06-01T00:00:00Z",                 optional: the clock for validFrom/validUntil/nbf/exp
//     "documents": {"did:web:example.com": "did.json",  DID / controller documents, status list
//                   "https://example.com/status/1": "sl.json"},  credentials: URL -> JSON file
//     "items": [
//       {"kind": "di",  "file": "cred.json"},
//       {"kind": "jwt", "file": "cred.jwt", "publicJwk": {...}}   or "jwksFile": "jwks.json",
//                                                                   or neither: resolve the header kid
//       {"kind": "contexts"}     our bundled contexts vs. the JS packages' copies of the same URLs
//     ]
//   }
//
// Every URL the stack asks for is answered from: the repo's bundled contexts
// (src/BadgeIssuer.JsonLd/Contexts/index.json), the job's "documents", or did:key derivation
// (@digitalbazaar/did-method-key). Anything else throws: the loader never touches the network.

import {readFileSync} from 'node:fs';
import {dirname, isAbsolute, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {errorMessages, loadBundledContexts, readJson} from './common.mjs';
import {isDeepStrictEqual} from 'node:util';
import {gunzipSync} from 'node:zlib';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {cryptosuite as ecdsaRdfc2019CryptoSuite} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didKey from '@digitalbazaar/did-method-key';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import {contexts as dataIntegrityContexts} from '@digitalbazaar/data-integrity-context';
import {contexts as multikeyContexts} from '@digitalbazaar/multikey-context';
import {contexts as bitstringStatusListContexts} from '@digitalbazaar/vc-bitstring-status-list-context';
import {contexts as statusList2021Contexts} from '@digitalbazaar/vc-status-list-context';
import {contexts as didContexts} from 'did-context';
import {contexts as ed25519Signature2020Contexts} from 'ed25519-signature-2020-context';
import * as jose from 'jose';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');

const JWT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];
const ACCEPTED_JWT_TYP = ['JWT', 'vc+jwt'];
const JWT_REGISTERED_CLAIMS = ['iss', 'jti', 'sub', 'nbf', 'exp', 'iat', 'aud'];

// ---------------------------------------------------------------- job loading



// ---------------------------------------------------------------- offline document loader

const didKeyDriver = didKey.driver();
didKeyDriver.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});
didKeyDriver.use({
  multibaseMultikeyHeader: 'zDna',
  fromMultibase: EcdsaMultikey.from
});

function createDocumentLoader({contexts, documents}) {
  const requested = [];
  const refused = [];

  async function documentLoader(url) {
    requested.push(url);
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
    }
    if(documents.has(url)) {
      return {contextUrl: null, documentUrl: url, document: documents.get(url)};
    }
    if(url.startsWith('did:key:')) {
      // did-method-key derives the document (or the fragment's key) from the DID itself.
      const document = await didKeyDriver.get({url});
      return {contextUrl: null, documentUrl: url, document};
    }
    const hash = url.indexOf('#');
    if(hash > 0 && documents.has(url.slice(0, hash))) {
      // A verification method inside a DID / controller document given by the job.
      const base = url.slice(0, hash);
      const controllerDocument = documents.get(base);
      const vm = findVerificationMethod(controllerDocument, url);
      if(vm) {
        return {
          contextUrl: null,
          documentUrl: url,
          document: {'@context': controllerDocument['@context'], ...vm}
        };
      }
      refused.push(url);
      throw new Error(
        `offline document loader: ${base} has no verification method ${url}`);
    }
    refused.push(url);
    throw new Error(
      `offline document loader: refusing ${url} (not a bundled context, ` +
      'not a did:key, not among the job\'s documents; the network is never used)');
  }

  return {documentLoader, requested, refused};
}

function findVerificationMethod(controllerDocument, vmId) {
  const base = controllerDocument.id;
  const candidates = [];
  for(const member of ['verificationMethod', 'assertionMethod', 'authentication',
    'capabilityInvocation', 'capabilityDelegation', 'keyAgreement']) {
    for(const value of [].concat(controllerDocument[member] ?? [])) {
      if(value && typeof value === 'object') {
        candidates.push(value);
      }
    }
  }
  return candidates.find(vm => vm.id === vmId ||
    (typeof vm.id === 'string' && vm.id.startsWith('#') && base + vm.id === vmId));
}

// ---------------------------------------------------------------- helpers


function collectVcErrors(result) {
  const errors = [];
  errorMessages(result?.error, errors);
  for(const r of result?.results ?? []) {
    errorMessages(r.error, errors);
    if(r.purposeResult && r.purposeResult.valid === false) {
      errorMessages(r.purposeResult.error, errors);
    }
  }
  return errors;
}

function statusEntries(credential) {
  const cs = credential?.credentialStatus;
  if(!cs) {
    return [];
  }
  return [].concat(cs).filter(e => e && e.type === 'BitstringStatusListEntry');
}

// Independent of @digitalbazaar/bitstring: multibase 'u' + base64url(GZIP(bits)), bit 0 = MSB of byte 0.
function decodeStatusValue(encodedList, index, statusSize = 1) {
  if(typeof encodedList !== 'string' || encodedList[0] !== 'u') {
    throw new Error('encodedList does not start with the multibase base64url prefix "u"');
  }
  const bytes = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  let value = 0;
  for(let k = 0; k < statusSize; k++) {
    const bit = index * statusSize + k;
    if((bit >> 3) >= bytes.length) {
      throw new Error(`statusListIndex ${index} is outside the list (${bytes.length * 8} bits)`);
    }
    value = (value * 2) + ((bytes[bit >> 3] >> (7 - (bit & 7))) & 1);
  }
  return {value, entries: Math.floor(bytes.length * 8 / statusSize)};
}

// Runs the library status check, then re-reads each bit with zlib and compares.
async function checkStatuses({credential, suite, documentLoader, documents}) {
  const entries = statusEntries(credential);
  const out = {statusChecked: false, statuses: [], revoked: null, suspended: null, errors: []};
  if(entries.length === 0) {
    if(credential?.credentialStatus) {
      out.errors.push('credentialStatus has no BitstringStatusListEntry');
    }
    return out;
  }
  const library = await checkBitstringStatus({
    credential, suite, documentLoader,
    verifyBitstringStatusListCredential: true,
    verifyMatchingIssuers: true
  });
  if(!library.verified) {
    out.errors.push(...errorMessages(library.error).map(m => `status check: ${m}`));
  }
  for(const entry of entries) {
    const index = Number.parseInt(entry.statusListIndex, 10);
    const status = {
      statusPurpose: entry.statusPurpose,
      statusListIndex: entry.statusListIndex,
      statusListCredential: entry.statusListCredential,
      value: null,
      independentValue: null
    };
    const libraryResult = (library.results ?? []).find(r => r.credentialStatus === entry);
    if(libraryResult) {
      status.value = libraryResult.status === true ? 1 : libraryResult.status === false ? 0 : libraryResult.status;
    }
    try {
      const list = documents.get(entry.statusListCredential);
      if(!list) {
        throw new Error(`the job gives no document for ${entry.statusListCredential}`);
      }
      const size = list.credentialSubject?.statusSize ?? 1;
      status.independentValue = decodeStatusValue(list.credentialSubject?.encodedList, index, size).value;
    } catch(e) {
      out.errors.push(`independent decode of ${entry.statusListCredential}: ${e.message}`);
    }
    if(status.value !== null && status.independentValue !== null && status.value !== status.independentValue) {
      out.errors.push(`status bit ${index}: library reads ${status.value}, zlib decode reads ${status.independentValue}`);
    }
    out.statuses.push(status);
  }
  out.statusChecked = library.verified === true && out.errors.length === 0;
  const valueFor = purpose => {
    const matching = out.statuses.filter(s => s.statusPurpose === purpose);
    if(matching.length === 0 || matching.some(s => s.value === null && s.independentValue === null)) {
      return null;
    }
    return matching.some(s => (s.value ?? s.independentValue) > 0);
  };
  out.revoked = valueFor('revocation');
  out.suspended = valueFor('suspension');
  return out;
}

function newSuite() {
  return new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
}

// The credential's proofs: eddsa-rdfc-2022 or ecdsa-rdfc-2019 (P-256 and P-384) DataIntegrityProofs.
function newCredentialSuites() {
  return [newSuite(), new DataIntegrityProof({cryptosuite: ecdsaRdfc2019CryptoSuite})];
}

// ---------------------------------------------------------------- item kinds

async function verifyDataIntegrity(item, ctx) {
  const credential = readJson(ctx.path(item.file));
  const {documentLoader, requested, refused} = createDocumentLoader(ctx);
  const suite = newCredentialSuites();
  let status = null;
  const result = await vc.verifyCredential({
    credential,
    suite,
    documentLoader,
    now: ctx.now,
    // vc calls this only after the proof verified.
    checkStatus: async () => {
      status = await checkStatuses({credential, suite: newCredentialSuites(), documentLoader, documents: ctx.documents});
      return {verified: status.statusChecked};
    }
  });
  const errors = [...collectVcErrors(result), ...(status?.errors ?? [])];
  const proofs = [].concat(credential.proof ?? []);
  return {
    verified: result.verified === true,
    errors,
    statusChecked: status?.statusChecked ?? false,
    statuses: status?.statuses ?? [],
    revoked: status?.revoked ?? null,
    suspended: status?.suspended ?? null,
    details: {
      proofTypes: proofs.map(p => `${p.type}/${p.cryptosuite ?? ''}`),
      verificationMethods: proofs.map(p => p.verificationMethod),
      loaded: requested,
      refused
    }
  };
}

async function keyFromVerificationMethod(vm) {
  if(vm.publicKeyJwk) {
    return {jwk: vm.publicKeyJwk, controller: vm.controller};
  }
  // A Multikey: Ed25519 (z6Mk…) or ECDSA (P-256 zDn…, P-384 z82…).
  const Multikey = vm.publicKeyMultibase?.startsWith('z6Mk') ? Ed25519Multikey : EcdsaMultikey;
  const keyPair = await Multikey.from(vm);
  return {jwk: await Multikey.toJwk({keyPair}), controller: vm.controller};
}

async function verifyJwt(item, ctx) {
  const jws = readFileSync(ctx.path(item.file), 'utf8').trim();
  const errors = [];
  const details = {};
  const {documentLoader, requested, refused} = createDocumentLoader(ctx);
  details.loaded = requested;
  details.refused = refused;

  let header;
  try {
    header = jose.decodeProtectedHeader(jws);
  } catch(e) {
    return {verified: false, errors: [`not a compact JWS: ${e.message}`], statusChecked: false, statuses: [], revoked: null, suspended: null, details};
  }
  details.header = header;
  if(!ACCEPTED_JWT_TYP.includes(header.typ)) {
    errors.push(`header typ is ${JSON.stringify(header.typ)}; expected one of ${ACCEPTED_JWT_TYP.join(', ')}`);
  }
  if(header.jwk && 'd' in header.jwk) {
    errors.push('header jwk contains a private key member "d"');
  }

  // The verification key: given by the job, or resolved from the kid (never the self-asserted header jwk
  // unless the job allows it).
  let key;
  let keyController = null;
  try {
    if(item.publicJwk) {
      details.keySource = 'job publicJwk';
      key = await jose.importJWK(item.publicJwk, header.alg);
    } else if(item.jwksFile) {
      details.keySource = 'job jwksFile';
      key = jose.createLocalJWKSet(readJson(ctx.path(item.jwksFile)));
    } else if(header.kid) {
      details.keySource = `kid ${header.kid}`;
      const {document} = await documentLoader(header.kid);
      const resolved = await keyFromVerificationMethod(document);
      keyController = resolved.controller ?? null;
      key = await jose.importJWK(resolved.jwk, header.alg);
    } else if(header.jwk && item.allowEmbeddedJwk) {
      details.keySource = 'header jwk';
      key = await jose.importJWK(header.jwk, header.alg);
    } else {
      throw new Error('no key: the job gives neither publicJwk nor jwksFile and the header has no kid');
    }
  } catch(e) {
    errors.push(`key: ${e.message}`);
    return {verified: false, errors, statusChecked: false, statuses: [], revoked: null, suspended: null, details};
  }

  let payload;
  try {
    const currentDate = ctx.now ? new Date(ctx.now) : undefined;
    const result = await jose.jwtVerify(jws, key, {algorithms: JWT_ALGORITHMS, currentDate, clockTolerance: 300});
    payload = result.payload;
    details.alg = result.protectedHeader.alg;
  } catch(e) {
    errors.push(`jose: ${e.code ? e.code + ': ' : ''}${e.message}`);
    return {verified: false, errors, statusChecked: false, statuses: [], revoked: null, suspended: null, details};
  }

  // VC-JOSE-COSE / OB 3.0 §8.2: the payload is the credential (plus JWT claims); VC-JWT 1.1: a "vc" claim.
  let credential;
  if(payload.vc && typeof payload.vc === 'object') {
    details.payloadShape = 'vc claim (VC-JWT 1.1)';
    credential = payload.vc;
  } else if(payload['@context']) {
    details.payloadShape = 'credential (VC-JOSE-COSE / OB 3.0)';
    credential = Object.fromEntries(Object.entries(payload).filter(([k]) => !JWT_REGISTERED_CLAIMS.includes(k)));
  } else {
    errors.push('payload is neither a credential (no @context) nor has a vc claim');
  }

  if(credential) {
    try {
      vc._checkCredential({credential, now: ctx.now, mode: 'verify'});
    } catch(e) {
      errors.push(`credential shape (@digitalbazaar/vc): ${e.message}`);
    }
    // OB 3.0 §8.2.4: the registered claims mirror the credential.
    const issuerId = typeof credential.issuer === 'string' ? credential.issuer : credential.issuer?.id;
    const expectClaim = (claim, expected) => {
      if(expected !== undefined && payload[claim] !== expected) {
        errors.push(`claim ${claim} is ${JSON.stringify(payload[claim])}, expected ${JSON.stringify(expected)}`);
      }
    };
    expectClaim('iss', issuerId);
    expectClaim('jti', credential.id);
    const subjects = [].concat(credential.credentialSubject ?? []);
    if(subjects.length === 1 && subjects[0].id) {
      expectClaim('sub', subjects[0].id);
    }
    if(credential.validFrom) {
      expectClaim('nbf', Math.floor(Date.parse(credential.validFrom) / 1000));
    }
    if(credential.validUntil) {
      expectClaim('exp', Math.floor(Date.parse(credential.validUntil) / 1000));
    }
    if(keyController !== null && keyController !== issuerId) {
      errors.push(`kid controller ${keyController} is not the issuer ${issuerId}`);
    }
  }

  let status = null;
  if(credential?.credentialStatus) {
    status = await checkStatuses({credential, suite: newCredentialSuites(), documentLoader, documents: ctx.documents});
    errors.push(...status.errors);
  }

  details.claims = Object.fromEntries(JWT_REGISTERED_CLAIMS.filter(c => c in payload).map(c => [c, payload[c]]));
  return {
    verified: errors.length === 0,
    errors,
    statusChecked: status?.statusChecked ?? false,
    statuses: status?.statuses ?? [],
    revoked: status?.revoked ?? null,
    suspended: status?.suspended ?? null,
    details
  };
}

// Our bundled copy of a context must equal the JS stack's copy of the same URL, or the two sides would be
// canonicalizing with different definitions (a verifier elsewhere uses the published one).
const JS_CONTEXT_PACKAGES = [
  ['@digitalbazaar/credentials-context', credentialsContexts],
  ['@digitalbazaar/data-integrity-context', dataIntegrityContexts],
  ['@digitalbazaar/multikey-context', multikeyContexts],
  ['@digitalbazaar/vc-bitstring-status-list-context', bitstringStatusListContexts],
  ['@digitalbazaar/vc-status-list-context', statusList2021Contexts],
  ['did-context', didContexts],
  ['ed25519-signature-2020-context', ed25519Signature2020Contexts]
];

async function compareContexts(item, ctx) {
  const errors = [];
  const compared = [];
  const notBundled = [];
  for(const [name, map] of JS_CONTEXT_PACKAGES) {
    for(const [url, theirs] of map) {
      if(!ctx.contexts.has(url)) {
        notBundled.push(`${url} (${name})`);
        continue;
      }
      compared.push(`${url} (${name})`);
      if(!isDeepStrictEqual(ctx.contexts.get(url), theirs)) {
        errors.push(`bundled context ${url} differs from ${name}'s copy`);
      }
    }
  }
  if(compared.length === 0) {
    errors.push('no context URL is shared with the JS context packages');
  }
  return {verified: errors.length === 0, errors, statusChecked: false, statuses: [], revoked: null, suspended: null,
    details: {compared, notBundled}};
}

const KINDS = {di: verifyDataIntegrity, jwt: verifyJwt, contexts: compareContexts};

// ---------------------------------------------------------------- main

async function main() {
  const jobPath = process.argv[2];
  if(!jobPath) {
    throw new Error('usage: node verify.mjs job.json');
  }
  const job = readJson(jobPath);
  const jobDir = dirname(resolve(jobPath));
  const path = p => (isAbsolute(p) ? p : join(jobDir, p));
  if(!Array.isArray(job.items)) {
    throw new Error('the job has no "items" array');
  }
  if(job.now !== undefined && Number.isNaN(Date.parse(job.now))) {
    throw new Error(`"now" is not a date: ${job.now}`);
  }
  const documents = new Map();
  for(const [url, file] of Object.entries(job.documents ?? {})) {
    documents.set(url, readJson(path(file)));
  }
  const ctx = {contexts: loadBundledContexts(), documents, now: job.now, path};

  const results = [];
  for(const [index, item] of job.items.entries()) {
    const run = KINDS[item.kind];
    let result;
    if(!run) {
      result = {verified: false, errors: [`unknown item kind ${JSON.stringify(item.kind)}`]};
    } else {
      try {
        result = await run(item, ctx);
      } catch(e) {
        result = {verified: false, errors: [`verify.mjs: ${e.stack ?? e}`]};
      }
    }
    results.push({index, kind: item.kind, file: item.file ?? null, statusChecked: false, statuses: [],
      revoked: null, suspended: null, ...result});
  }
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
}

main().catch(e => {
  process.stderr.write(`verify.mjs: ${e.stack ?? e}\n`);
  process.exit(2);
});
