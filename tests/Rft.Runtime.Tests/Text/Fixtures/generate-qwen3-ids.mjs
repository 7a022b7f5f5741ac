// Writes qwen3-ids.json: deterministic varied strings and the ids that transformers.js gives them.
// Usage (outside the repository, e.g. in /tmp/hftok after `npm install @huggingface/transformers@4.3.1`):
//   node generate-qwen3-ids.mjs <node_modules/@huggingface/transformers> <folder holding qwen3/tokenizer.json> <out.json>
import path from 'node:path';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

const [transformersDir, modelsDir, outPath] = process.argv.slice(2);
const { AutoTokenizer, env } = await import(pathToFileURL(path.join(transformersDir, 'dist', 'transformers.node.mjs')).href);
env.allowRemoteModels = false;
env.localModelPath = modelsDir;
const tokenizer = await AutoTokenizer.from_pretrained('qwen3');

// mulberry32: a small seeded generator so the strings are the same on every run.
let seed = 20251125;
const next = () => { seed |= 0; seed = (seed + 0x6D2B79F5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const int = n => Math.floor(next() * n);
const pick = a => a[int(a.length)];

const words = ['the', 'The', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', "don't", "I'm", "WE'LL", "she's", "they'RE", "it'D", "you've", 'HELLO', 'reinforcement', 'fine-tuning', 'tokenizer', 'naïve', 'café', 'résumé', 'Zürich', 'façade', 'coöperate', 'Ångström', 'señor', 'Œuvre', 'Đà Nẵng', 'straße'];
const scripts = ['你好，世界！', '我们正在训练语言模型。', '東京は日本の首都です。', 'ひらがなとカタカナ', 'カタカナ', '안녕하세요, 세계!', 'Привет, мир!', 'Γειά σου Κόσμε', 'مرحبا بالعالم', 'שלום עולם', 'नमस्ते दुनिया', 'สวัสดีชาวโลก', 'Xin chào thế giới', 'Ελληνικά και English', 'Ọ̀rọ̀ Yorùbá', 'ᚠᛇᚻ᛫ᛒᛦᚦ', 'ǅemal ǈ', '𝐀𝐁𝐂 𝟏𝟐𝟑', '𠀀𠀁 𪚥', '𐍈𐌰𐌹'];
const emoji = ['😀', '🚀', '👍🏽', '👨‍👩‍👧‍👦', '🇫🇷', '🇯🇵', '❤️', '🏳️‍🌈', '🤖', '✨', '🧪', '1️⃣', '©', '™', '∑', '→', '≠', '🙂🙃', '🐍'];
const specials = ['<|im_start|>', '<|im_end|>', '<|endoftext|>', '<|object_ref_start|>', '<|box_end|>', '<|vision_pad|>', '<|image_pad|>', '<tool_call>', '</tool_call>', '<think>', '</think>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|repo_name|>', '<|file_sep|>', '<tool_response>', '</tool_response>'];
const spaces = [' ', '  ', '   ', '    ', '\t', '\t\t', '\n', '\n\n', '\r\n', ' \n', '\n ', ' \t \n', '\u00A0', '\u3000', '\u2003', '\u2028', '        '];
const code = [
  'def add(a, b):\n    return a + b\n',
  'for (int i = 0; i < n; i++) { sum += x[i]; }',
  'public sealed record Rollout(Tensor Tokens, Tensor LogProbs);',
  'const f = async (x) => { await g(x?.y ?? 0); };',
  '#include <stdio.h>\nint main(void) {\n\tprintf("%d\\n", 42);\n}\n',
  'SELECT id, name FROM users WHERE age >= 18 ORDER BY name;',
  '{"key": [1, 2.5, -3e10, null, true], "nested": {"a": "b"}}',
  '<div class="x">&amp; &lt;tag&gt;</div>',
  'x = [i**2 for i in range(10) if i % 2 == 0]  # squares',
  'fn main() -> Result<(), Box<dyn Error>> { Ok(()) }',
  '    if (a && b || !c) {\n        return;\n    }\n',
  '$ git commit -m "fix: handle \\r\\n"',
  'https://example.com/path?q=1&r=%20#frag',
  'C:\\Users\\name\\file.txt',
  '0x1F600 0b1010 1_000_000 3.14159e-10',
];
const numbers = () => pick([
  () => String(int(10 ** (1 + int(12)))),
  () => (next() * 1e6).toFixed(int(6)),
  () => '-' + int(100000),
  () => int(1000) + ',' + String(int(1000)).padStart(3, '0') + ',' + String(int(1000)).padStart(3, '0'),
  () => '#### ' + int(10000),
  () => int(100) + ' + ' + int(100) + ' = ' + int(200),
  () => '١٢٣ ४५६ ７８９',
])();
const randomChar = () => {
  const ranges = [[0x20, 0x7E], [0xA0, 0x24F], [0x370, 0x3FF], [0x400, 0x4FF], [0x590, 0x6FF], [0x900, 0x97F], [0xE00, 0xE7F], [0x1100, 0x11FF], [0x2000, 0x206F], [0x2190, 0x22FF], [0x3040, 0x30FF], [0x4E00, 0x9FFF], [0xAC00, 0xD7A3], [0xFF00, 0xFFEF], [0x1F300, 0x1F64F], [0x1F900, 0x1F9FF], [0x20000, 0x2A6DF]];
  const [lo, hi] = pick(ranges);
  return String.fromCodePoint(lo + int(hi - lo + 1));
};
const pieces = [
  () => pick(words), () => pick(scripts), () => pick(emoji), () => pick(specials), () => pick(spaces),
  () => pick(code), numbers, () => Array.from({ length: 1 + int(8) }, randomChar).join(''),
  () => pick(['.', ',', '!', '?', '...', '--', '"', "'", '(', ')', '[', ']', '{', '}', ';', ':', "'s", "'S", "'ll", '!!!', '?!']),
];

const strings = new Set(['', ' ', '\n', 'a', 'Hello, world!', '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n', '<|endoftext|>', '<|im_start|><|im_end|>', '<|im_start', '|im_end|>', '<|IM_START|>', 'x<|endoftext|>y', '  <think>\n\n</think>\n\n', ' '.repeat(40), '\n'.repeat(7), '\t \t \r\n\r\n', '1234567890123456789', "'s 'S 'Ll 'VE 'd", 'e\u0301']);
while (strings.size < 1200) {
  const n = 1 + int(8);
  let s = '';
  for (let i = 0; i < n; i++) { s += pick(pieces)(); if (next() < 0.5) s += pick([' ', ' ', ' ', '\n', '']); }
  strings.add(s);
}

const cases = [];
for (const text of strings) {
  // The Qwen tokenizer normalizes to NFC; recording NFC strings keeps decode(encode(s)) == s meaningful.
  const nfc = text.normalize('NFC');
  const ids = Array.from(tokenizer.encode(nfc, { add_special_tokens: false }));
  const back = ids.length === 0 ? '' : tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  if (back !== nfc) throw new Error(`transformers.js does not round-trip ${JSON.stringify(nfc)}: ${JSON.stringify(back)}`);
  cases.push({ text: nfc, ids });
}
const fixture = { source: 'transformers.js (@huggingface/transformers 4.3.1) AutoTokenizer, encode(text, { add_special_tokens: false })', tokenizer: 'qwen3/tokenizer.json', cases };
fs.writeFileSync(outPath, JSON.stringify(fixture, null, 0).replace(/\},\{"text"/g, '},\n{"text"'));
console.log(`${cases.length} cases, ${fs.statSync(outPath).size} bytes`);
