// A VC-API holder, offline: it takes an offer's Learner Credential Wallet deep link, reads the exchange URL from its
// request ({"credentialRequestOrigin", "protocols": {"vcapi": …}}, as the LCW does), and runs the VC-API exchange
// against a running BadgeIssuer over https: POST {} → a DIDAuthentication verifiablePresentationRequest; a fresh
// Ed25519 did:key holder signs a presentation with @digitalbazaar/vc (signPresentation: DataIntegrityProof,
// eddsa-rdfc-2022, proofPurpose authentication, the request's challenge and domain); POST {verifiablePresentation}
// → a presentation holding the credential. Before that it sends two presentations the exchange must refuse (signed
// for another domain, and for a challenge the exchange never issued); after it, the accepted presentation once more.
//
//   NODE_EXTRA_CA_CERTS=cert.pem node vcapi-exchange.mjs job.json
//   job = {"deepLink": "https://lcw.app/request?request=…", "now": "2026-11-01T00:00:00Z"}
//
// Prints one JSON object: {exchangeUrl, credentialRequestOrigin, holderDid, request, refused: {domain, challenge},
// credential, reuse}. Exit 0, or 2 with the error on stderr.
import {readFileSync} from 'node:fs';
import {randomBytes} from 'node:crypto';
import {errorMessages, loadBundledContexts} from './common.mjs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didKey from '@digitalbazaar/did-method-key';

const didKeyDriver = didKey.driver();
didKeyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

function documentLoaderFor(contexts) {
  return async url => {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
    }
    if(url.startsWith('did:key:')) {
      return {contextUrl: null, documentUrl: url, document: await didKeyDriver.get({url})};
    }
    throw new Error(`offline document loader: refusing ${url} (the network is never used)`);
  };
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {'Content-Type': 'application/json', Accept: 'application/json'},
    body: JSON.stringify(body)
  });
  const text = await response.text();
  return {status: response.status, body: text.length > 0 ? JSON.parse(text) : null};
}

async function signDidAuth({keyPair, challenge, domain, now, documentLoader}) {
  const presentation = vc.createPresentation({holder: keyPair.controller});
  const suite = new DataIntegrityProof({signer: keyPair.signer(), date: now, cryptosuite: eddsaRdfc2022CryptoSuite});
  return vc.signPresentation({presentation, suite, challenge, domain, documentLoader});
}

async function main() {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const documentLoader = documentLoaderFor(loadBundledContexts());

  // The deep link, read the way the Learner Credential Wallet reads it: the `request` query parameter is JSON.
  const link = new URL(job.deepLink);
  if(link.origin !== 'https://lcw.app' || link.pathname !== '/request') {
    throw new Error('not an LCW universal link: ' + job.deepLink);
  }
  const invitation = JSON.parse(link.searchParams.get('request'));
  const exchangeUrl = invitation?.protocols?.vcapi;
  if(typeof exchangeUrl !== 'string') {
    throw new Error('the deep link request has no protocols.vcapi: ' + JSON.stringify(invitation));
  }

  // 1. Start the exchange.
  const started = await post(exchangeUrl, {});
  if(started.status !== 200) {
    throw new Error(`POST {} answered ${started.status}: ${JSON.stringify(started.body)}`);
  }
  const request = started.body.verifiablePresentationRequest;
  const queries = [].concat(request?.query ?? []);
  if(!queries.some(q => q.type === 'DIDAuthentication') || typeof request.challenge !== 'string' || typeof request.domain !== 'string') {
    throw new Error('not a DIDAuthentication request: ' + JSON.stringify(started.body));
  }

  // 2. The holder: a fresh Ed25519 key as did:key (what the request's acceptedMethods name).
  const seed = new Uint8Array(randomBytes(32));
  const probe = await Ed25519Multikey.generate({seed});
  const holderDid = `did:key:${probe.publicKeyMultibase}`;
  const keyPair = await Ed25519Multikey.generate({seed, controller: holderDid});
  const now = job.now;

  // Presentations the exchange must refuse (and that must not spend the offer).
  const refused = {};
  for(const [what, options] of [['domain', {challenge: request.challenge, domain: 'https://verifier.example'}], ['challenge', {challenge: 'not-issued-by-the-exchange', domain: request.domain}]]) {
    const bad = await signDidAuth({keyPair, ...options, now, documentLoader});
    const answer = await post(exchangeUrl, {verifiablePresentation: bad});
    refused[what] = `${answer.status} ${answer.body?.code ?? ''}`.trim();
  }

  // 3. The real answer.
  const didAuth = await signDidAuth({keyPair, challenge: request.challenge, domain: request.domain, now, documentLoader});
  const delivered = await post(exchangeUrl, {verifiablePresentation: didAuth});
  if(delivered.status !== 200) {
    throw new Error(`POST {verifiablePresentation} answered ${delivered.status}: ${JSON.stringify(delivered.body)}`);
  }
  const credentials = [].concat(delivered.body?.verifiablePresentation?.verifiableCredential ?? []);
  if(credentials.length !== 1) {
    throw new Error('expected one credential in the presentation: ' + JSON.stringify(delivered.body));
  }

  // 4. The same presentation again.
  const again = await post(exchangeUrl, {verifiablePresentation: didAuth});
  const reuse = again.status === 200 ? 'accepted' : `refused: ${again.status} ${again.body?.code ?? ''}`.trim();

  process.stdout.write(JSON.stringify({
    exchangeUrl,
    credentialRequestOrigin: invitation.credentialRequestOrigin,
    holderDid,
    request,
    refused,
    credential: credentials[0],
    reuse
  }));
}

main().catch(error => {
  process.stderr.write(errorMessages(error).join('\n') + '\n');
  process.exit(2);
});
