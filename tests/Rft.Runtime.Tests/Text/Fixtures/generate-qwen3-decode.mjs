// Writes qwen3-decode.json: id sequences (random ids, random ids with added tokens, and the tokens of text with multi-byte
// characters cut at every length) and the text transformers.js decodes them to, skipping special tokens.
// Usage (outside the repository, e.g. in /tmp/hftok after `npm install @huggingface/transformers@4.3.1`):
//   node generate-qwen3-decode.mjs <node_modules/@huggingface/transformers> <folder holding qwen3/tokenizer.json> <out.json>
import path from 'node:path';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

const [transformersDir, modelsDir, outPath] = process.argv.slice(2);
const { AutoTokenizer, env } = await import(pathToFileURL(path.join(transformersDir, 'dist', 'transformers.node.mjs')).href);
env.allowRemoteModels = false;
env.localModelPath = modelsDir;
const tokenizer = await AutoTokenizer.from_pretrained('qwen3');

// mulberry32: a small seeded generator so the sequences are the same on every run.
let seed = 20261206;
const next = () => { seed |= 0; seed = (seed + 0x6D2B79F5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const int = n => Math.floor(next() * n);

const vocabulary = 151643;              // byte-level BPE ids; the added tokens follow
const added = 151669;
const cases = [];
for (let i = 0; i < 200; i++) {
  const ids = Array.from({ length: 16 }, () => int(vocabulary));
  cases.push({ kind: 'random', ids });
}
for (let i = 0; i < 50; i++) {
  const ids = Array.from({ length: 12 }, () => (next() < 0.2 ? vocabulary + int(added - vocabulary) : int(vocabulary)));
  cases.push({ kind: 'random with added tokens', ids });
}
const texts = ['naïve café 😀 東京', '👨‍👩‍👧‍👦 family', 'Привет, мир!', '𠀀𠀁 𪚥 end', 'à la carte — “quoted”'];
for (const text of texts) {
  const ids = tokenizer.encode(text, { add_special_tokens: false });
  for (let n = 1; n <= ids.length; n++) cases.push({ kind: 'cut text', ids: ids.slice(0, n) });
}
for (const c of cases) c.text = tokenizer.decode(c.ids, { skip_special_tokens: true });
const fixture = { source: 'transformers.js (@huggingface/transformers 4.3.1) AutoTokenizer, decode(ids, { skip_special_tokens: true })', tokenizer: 'qwen3/tokenizer.json', cases };
fs.writeFileSync(outPath, JSON.stringify(fixture, null, 1) + '\n');
console.log(`${cases.length} cases, ${cases.filter(c => c.text.includes('\uFFFD')).length} with U+FFFD`);
