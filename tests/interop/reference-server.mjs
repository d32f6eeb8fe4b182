// A reference VC-API issuer built from Digital Bazaar's libraries, for side-by-side load measurements
// (bench/compare.sh). It keeps nothing but a status-index counter, in memory: no storage, no audit, no auth.
//
//   node reference-server.mjs [--port 5091] [--host 127.0.0.1]
//
// POST /credentials/issue {"credential": {...}, "options": {"credentialStatus": "revocation" | [...]}}
//   -> 201 {"verifiableCredential": {... eddsa-rdfc-2022 DataIntegrityProof}}
// The credential's issuer (string or object id) is replaced by this server's did:key; a missing id gets a
// urn:uuid; with options.credentialStatus, a BitstringStatusListEntry (revocation) with the next index of one
// list, as BadgeIssuer adds one. Contexts come from the repository's bundled copies (no network).
// GET /health -> 200. Anything else -> 404. Bodies over 1 MiB -> 413.

import {createServer} from 'node:http';
import {randomUUID, randomBytes} from 'node:crypto';
import {loadBundledContexts} from './common.mjs';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const MAX_BODY = 1024 * 1024;
const LIST_LENGTH = 131072;

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(option('--port', '5091'));
const host = option('--host', '127.0.0.1');
const base = `http://${host}:${port}`;

const contexts = loadBundledContexts();
const documentLoader = async url => {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  throw new Error(`document not available offline: ${url}`);
};

const seed = randomBytes(32);
const probe = await Ed25519Multikey.generate({seed: new Uint8Array(seed)});
const issuer = `did:key:${probe.publicKeyMultibase}`;
const keyPair = await Ed25519Multikey.generate({seed: new Uint8Array(seed), controller: issuer});
const signer = keyPair.signer();

let nextIndex = 0;

async function issue(body) {
  const credential = structuredClone(body.credential);
  if(!credential || typeof credential !== 'object' || Array.isArray(credential)) {
    return [400, {title: 'credential must be an object'}];
  }
  if(credential.issuer && typeof credential.issuer === 'object') {
    credential.issuer.id = issuer;
  } else {
    credential.issuer = issuer;
  }
  credential.id ??= `urn:uuid:${randomUUID()}`;
  if(body.options?.credentialStatus) {
    const index = nextIndex++ % LIST_LENGTH;
    credential.credentialStatus = {
      id: `${base}/status/1#${index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(index),
      statusListCredential: `${base}/status/1`
    };
  }
  const suite = new DataIntegrityProof({signer, cryptosuite: eddsaRdfc2022CryptoSuite});
  const verifiableCredential = await vc.issue({credential, suite, documentLoader});
  return [201, {verifiableCredential}];
}

const server = createServer((req, res) => {
  const send = (status, value) => {
    const text = JSON.stringify(value);
    res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)});
    res.end(text);
  };
  if(req.method === 'GET' && (req.url === '/health' || req.url === '/readyz')) {
    return send(200, {status: 'ok', issuer});
  }
  if(req.method !== 'POST' || req.url !== '/credentials/issue') {
    return send(404, {title: 'not found'});
  }
  const chunks = [];
  let size = 0;
  req.on('data', chunk => {
    size += chunk.length;
    if(size > MAX_BODY) {
      send(413, {title: 'body too large'});
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', async () => {
    if(size > MAX_BODY) {
      return;
    }
    try {
      const [status, value] = await issue(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      send(status, value);
    } catch(e) {
      send(400, {title: 'could not issue', detail: String(e?.message ?? e)});
    }
  });
});
server.keepAliveTimeout = 65000;
server.listen(port, host, () => {
  console.log(`reference VC-API issuer on ${base} (issuer ${issuer})`);
});
