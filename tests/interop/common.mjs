// Helpers shared by verify.mjs and sign.mjs: JSON files, the repository's bundled contexts, error messages.
import {readFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const contextsDir = join(repoRoot, 'src', 'BadgeIssuer.JsonLd', 'Contexts');

export function readJson(path) {
  const text = readFileSync(path, 'utf8');
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

export function loadBundledContexts() {
  const index = readJson(join(contextsDir, 'index.json'));
  const map = new Map();
  for(const [url, file] of Object.entries(index)) {
    map.set(url, readJson(join(contextsDir, file)));
  }
  return map;
}

export function errorMessages(error, out = [], depth = 0) {
  if(!error || depth > 6) {
    return out;
  }
  if(Array.isArray(error)) {
    for(const e of error) {
      errorMessages(e, out, depth + 1);
    }
    return out;
  }
  const message = typeof error === 'string' ? error :
    (error.name && error.name !== 'Error' ? `${error.name}: ` : '') + (error.message ?? String(error));
  if(!out.includes(message)) {
    out.push(message);
  }
  if(error.errors) {
    errorMessages(error.errors, out, depth + 1);
  }
  if(error.cause && !(error.cause.message && message.includes(error.cause.message))) {
    errorMessages(error.cause, out, depth + 1);
  }
  return out;
}
