// A wallet, offline: @openid4vc/openid4vci (the OpenWallet Foundation's OpenID4VCI client) runs the whole
// pre-authorized code flow against a running BadgeIssuer over https: resolve the credential offer, the issuer and
// authorization server metadata, the token (with the tx_code when the job has one), a c_nonce, and the credential
// with a jwt key proof signed by a fresh holder key (Ed25519 as did:key, or P-256 as did:jwk). Then it tries the offer
// and the pre-authorized code once more, which must fail.
//
//   NODE_EXTRA_CA_CERTS=cert.pem node wallet.mjs job.json
//   job = {"offerUri": "openid-credential-offer://?credential_offer_uri=…", "txCode": "123456" | null,
//          "holder": "did:key" | "did:jwk", "configurationId": "OpenBadgeCredential_ldp_vc", "now": "2026-11-01T00:00:00Z"}
//
// Prints one JSON object: {holderDid, credentialIssuer, metadataVersion, tokenType, expiresIn, configurationId, credential,
// reuse: {offer, token}}. Exit 0, or 2 with the error on stderr.
import { readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { Openid4vciClient } from '@openid4vc/openid4vci';
import { clientAuthenticationAnonymous } from '@openid4vc/oauth2';
import * as jose from 'jose';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58btc(bytes) {
  let n = BigInt('0x' + Buffer.from(bytes).toString('hex'));
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

async function holderKey(kind) {
  if (kind === 'did:key') {
    const { publicKey, privateKey } = await jose.generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const jwk = await jose.exportJWK(publicKey);
    const raw = Buffer.from(jwk.x, 'base64url');
    const did = 'did:key:z' + base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), raw]));
    return { did, alg: 'EdDSA', privateKey, publicJwk: jwk, signer: { method: 'did', didUrl: did + '#' + did.slice('did:key:'.length), alg: 'EdDSA' } };
  }
  if (kind === 'did:jwk') {
    const { publicKey, privateKey } = await jose.generateKeyPair('ES256');
    const jwk = await jose.exportJWK(publicKey);
    const did = 'did:jwk:' + Buffer.from(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).toString('base64url');
    return { did, alg: 'ES256', privateKey, publicJwk: jwk, signer: { method: 'did', didUrl: did + '#0', alg: 'ES256' } };
  }
  throw new Error('holder must be did:key or did:jwk');
}

async function main() {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const holder = await holderKey(job.holder);
  const callbacks = {
    fetch,
    generateRandom: (length) => randomBytes(length),
    hash: (data, alg) => createHash(alg.replace('-', '')).update(data).digest(),
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (signer, { header, payload }) => {
      if (signer.method !== 'did' || signer.didUrl !== holder.signer.didUrl) throw new Error('unexpected signer ' + JSON.stringify(signer));
      const jwt = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader(header)
        .sign(holder.privateKey);
      return { jwt, signerJwk: holder.publicJwk };
    },
  };
  const client = new Openid4vciClient({ callbacks });

  const offer = await client.resolveCredentialOffer(job.offerUri);
  const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
  const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer: offer,
    issuerMetadata,
    txCode: job.txCode ?? undefined,
  });
  const { c_nonce } = await client.requestNonce({ issuerMetadata });
  const { jwt } = await client.createCredentialRequestJwtProof({
    issuerMetadata,
    signer: holder.signer,
    nonce: c_nonce,
    issuedAt: new Date(job.now),
    credentialConfigurationId: job.configurationId,
  });
  const response = await client.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId: job.configurationId,
    proofs: { jwt: [jwt] },
  });

  // The offer is single-use: fetching it again and redeeming its code again must both fail.
  const reuse = {};
  try {
    await client.resolveCredentialOffer(job.offerUri);
    reuse.offer = 'accepted';
  } catch (e) {
    reuse.offer = 'refused: ' + e.message;
  }
  try {
    await client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer: offer, issuerMetadata, txCode: job.txCode ?? undefined });
    reuse.token = 'accepted';
  } catch (e) {
    reuse.token = 'refused: ' + (e.errorResponse?.error ?? e.message);
  }

  process.stdout.write(JSON.stringify({
    holderDid: holder.did,
    credentialIssuer: issuerMetadata.credentialIssuer.credential_issuer,
    metadataVersion: issuerMetadata.originalDraftVersion,
    authorizationServer: issuerMetadata.authorizationServers.map((s) => s.issuer),
    tokenType: accessTokenResponse.token_type,
    expiresIn: accessTokenResponse.expires_in,
    proofHeader: jose.decodeProtectedHeader(jwt),
    configurationId: job.configurationId,
    credential: response.credentialResponse.credentials[0].credential,
    reuse,
  }, null, 2) + '\n');
}

main().catch((e) => {
  process.stderr.write((e.stack ?? String(e)) + (e.responseText ? '\nresponse: ' + e.responseText : '') + '\n');
  process.exit(2);
});
