// Records chat-template renderings by an independent renderer, @huggingface/jinja (the Jinja engine of
// transformers.js), for ChatTemplateFixtureTests: varied OpenAI-style conversations drawn from a seeded generator,
// each with the text the reference renders, or the error it raises.
//
// Usage (install the pinned renderer outside the repository, e.g.):
//   npm install --prefix /tmp/chatfx @huggingface/jinja@0.5.13
//   node make-fixtures.mjs /tmp/chatfx/node_modules/@huggingface/jinja ../../../../../shared/tokenizers/qwen3 .
// Writes <family>.cases.json into the output folder for qwen3 (template read from the shared folder, not committed),
// qwen2.5 and deepseek-r1 (templates committed beside this script; see SOURCES.md).
//
// The reference follows JavaScript where Python's Jinja2 (which transformers uses, and which Rft follows) differs.
// The generator keeps clear of those differences so that both references agree on every case
// (check-with-jinja2.py verifies it):
//   - @huggingface/jinja's str.strip/lstrip/rstrip ignore their argument ('\n' strips all whitespace there), so text
//     whose edges Qwen3 strips starts and ends with a visible character, padded only with newlines;
//   - it prints None as '' (Python 'None') and booleans as 'true' (Python 'True'): printed fields are strings;
//   - it writes integral floats as integers and small floats without an exponent: numbers are ints or short decimals;
//   - it concatenates a string with an object ('[object Map]') where Python raises: DeepSeek's arguments are strings.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [jinjaDir, qwen3Dir, outDir] = process.argv.slice(2);
if (!jinjaDir || !qwen3Dir || !outDir) {
  console.error('usage: node make-fixtures.mjs <node_modules/@huggingface/jinja> <folder with qwen3 tokenizer_config.json> <output folder>');
  process.exit(2);
}

const jinjaPackage = JSON.parse(fs.readFileSync(path.join(jinjaDir, 'package.json'), 'utf8'));
const { Template } = await import(pathToFileURL(path.join(jinjaDir, 'dist', 'index.js')).href);
const here = path.dirname(new URL(import.meta.url).pathname);
const perFamily = 240;

const families = [
  { name: 'qwen3', config: path.join(qwen3Dir, 'tokenizer_config.json'), configLabel: 'tokenizers/qwen3/tokenizer_config.json (../shared)', thinking: true, stringArguments: false },
  { name: 'qwen2.5', config: path.join(here, 'qwen2.5-0.5b-instruct.tokenizer_config.json'), configLabel: 'qwen2.5-0.5b-instruct.tokenizer_config.json', thinking: false, stringArguments: false },
  { name: 'deepseek-r1', config: path.join(here, 'deepseek-r1-distill-qwen-32b.tokenizer_config.json'), configLabel: 'deepseek-r1-distill-qwen-32b.tokenizer_config.json', thinking: false, stringArguments: true },
];

// mulberry32: a small seeded generator so the conversations are the same on every run.
let seed = 20251206;
const next = () => { seed |= 0; seed = (seed + 0x6D2B79F5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const int = n => Math.floor(next() * n);
const chance = p => next() < p;
const pick = a => a[int(a.length)];

const words = ['the', 'quick', 'brown', 'fox', 'reward', 'policy', 'gradient', 'token', 'naïve', 'café', 'Zürich', 'straße', 'résumé', 'ÅNGSTRÖM', 'x²', 'λ', 'π≈3.14'];
const scripts = ['你好，世界！', '東京は日本の首都です。', '안녕하세요', 'Привет, мир!', 'Γειά σου Κόσμε', 'مرحبا بالعالم', 'שלום עולם', 'नमस्ते दुनिया', 'สวัสดี', 'Xin chào'];
const emoji = ['😀', '🚀', '👍🏽', '👨‍👩‍👧‍👦', '🇯🇵', '❤️', '🤖', '∑', '→', '≠', '𝐀𝐁𝐂', '𠀀'];
const special = ['"quoted"', "it's", 'back\\slash', 'tab\there', 'a{b}c', '{{ not jinja }}', '{% raw %}', '<tag attr="v">', '&amp;', '</s>', '<|im_start|>', '<|im_end|>', '<tool_call>', '</tool_response>', '\u0001ctrl', 'json: {"k": [1, 2]}', '\\n literal', '\u2028sep', '%s %d', '${x}'];
const spaces = [' ', '  ', '\n', '\n\n', '\t', ' \n', '\r\n'];

const sentence = () => {
  const parts = [];
  for (let i = 0, n = 1 + int(6); i < n; i++) parts.push(pick([pick(words), pick(words), pick(scripts), pick(emoji), pick(special), String(int(1000))]));
  let text = '';
  for (const p of parts) text += (text ? pick(spaces.concat([' ', ' ', ' ', ' '])) : '') + p;
  return text;
};
// Text whose edges a template may strip: a visible character at each end, optionally padded with newlines.
const edged = () => {
  let text = sentence().trim();
  if (!text) text = 'ok';
  return '\n'.repeat(chance(0.2) ? 1 + int(2) : 0) + text + '\n'.repeat(chance(0.2) ? 1 + int(2) : 0);
};
const paragraph = () => Array.from({ length: 1 + int(2) }, sentence).join(pick(['\n', '\n\n', ' ']));

const jsonScalar = () => pick([
  () => int(1000) - 200, () => pick([0.5, 2.75, -3.125, 0.001, 12.5, 1234.5678]), () => sentence(), () => chance(0.5), () => null,
])();
const jsonObject = (depth = 0) => {
  const o = {};
  for (let i = 0, n = int(4); i < n; i++) {
    const key = pick(['city', 'unit', 'query', 'limit', 'options', 'tags', 'Ünïcode', 'with space', 'quote"key', 'nested']);
    o[key] = depth < 2 && chance(0.25) ? (chance(0.5) ? jsonObject(depth + 1) : [jsonScalar(), jsonScalar()]) : jsonScalar();
  }
  return o;
};

const toolNames = ['get_weather', 'search', 'calculate', 'lookup_user', 'run_code', 'translate'];
const toolDefinition = name => ({
  type: 'function',
  function: {
    name,
    description: sentence(),
    parameters: {
      type: 'object',
      properties: Object.fromEntries(Array.from({ length: 1 + int(3) }, (_, i) => [
        pick(['location', 'query', 'expression', 'id', 'text', 'target_lang']) + (i ? `_${i}` : ''),
        { type: pick(['string', 'number', 'integer', 'boolean']), description: sentence(), ...(chance(0.3) ? { enum: ['a', 'b', 'ü'] } : {}) },
      ])),
      required: chance(0.5) ? ['query'] : [],
    },
  },
});

function toolCall(family) {
  const name = pick(toolNames);
  const args = jsonObject();
  const argumentsValue = family.stringArguments || chance(0.35) ? JSON.stringify(args, null, chance(0.5) ? 2 : undefined) : args;
  const inner = { name, arguments: argumentsValue };
  // OpenAI's shape wraps the call in "function"; Qwen's templates also take the bare {name, arguments}.
  if (family.name === 'deepseek-r1' || chance(0.8)) return { id: `call_${int(1e6)}`, type: 'function', function: inner };
  return inner;
}

function assistantText(family) {
  const answer = edged();
  if (chance(0.3)) return `<think>${edged()}</think>${answer}`;
  return answer;
}

function conversation(family, index) {
  const messages = [];
  const extra = {};
  if (chance(0.5)) messages.push({ role: 'system', content: chance(0.1) ? '' : paragraph() });
  const useTools = family.name !== 'deepseek-r1' && chance(0.4);
  if (useTools) extra.tools = Array.from({ length: 1 + int(3) }, () => toolDefinition(pick(toolNames)));
  const turns = 1 + int(4);
  for (let t = 0; t < turns; t++) {
    const multiStep = family.name === 'qwen3' && chance(0.1);
    messages.push({ role: 'user', content: multiStep ? `<tool_response>\n${sentence()}\n</tool_response>` : paragraph() });
    const last = t === turns - 1;
    if (last && chance(0.5)) break; // end on the user's turn
    if (chance(useTools || family.name === 'deepseek-r1' ? 0.5 : 0.15)) {
      const calls = Array.from({ length: 1 + int(3) }, () => toolCall(family));
      const content = family.name === 'deepseek-r1' ? null : chance(0.5) ? '' : assistantText(family);
      const message = { role: 'assistant', content, tool_calls: calls };
      if (family.thinking && chance(0.3)) message.reasoning_content = edged();
      messages.push(message);
      for (let r = 0, n = 1 + int(calls.length + 1); r < n; r++) messages.push({ role: 'tool', content: JSON.stringify(jsonObject()), ...(chance(0.5) ? { tool_call_id: `call_${int(1e6)}` } : {}) });
      if (chance(0.6)) messages.push({ role: 'assistant', content: assistantText(family) });
    } else {
      const message = { role: 'assistant', content: assistantText(family) };
      if (family.thinking && chance(0.25)) message.reasoning_content = chance(0.2) ? null : edged();
      messages.push(message);
    }
  }

  if (family.thinking && chance(0.6)) extra.enable_thinking = chance(0.5);
  const addGenerationPrompt = messages.at(-1).role !== 'assistant' ? chance(0.85) : chance(0.3);

  // About one case in twenty breaks a rule the template relies on, to check that both renderers fail on it.
  if (index % 20 === 7) {
    if (family.name === 'qwen3') messages.push({ role: 'assistant', content: null, tool_calls: [toolCall(family)] });
    else if (family.name === 'qwen2.5') messages.push({ role: 'user', content: null });
    else messages.push({ role: 'assistant', content: null, tool_calls: [{ function: { name: 'search', arguments: '{}' } }] }); // no "type"
  }

  return { messages, add_generation_prompt: addGenerationPrompt, extra };
}

// The template's special-token variables, read as Rft reads them: a string, or an object's "content".
function specialTokens(config) {
  const tokens = {};
  for (const key of ['bos_token', 'eos_token', 'unk_token', 'pad_token']) {
    const value = config[key];
    if (typeof value === 'string') tokens[key] = value;
    else if (value && typeof value.content === 'string') tokens[key] = value.content;
  }
  return tokens;
}

for (const family of families) {
  const config = JSON.parse(fs.readFileSync(family.config, 'utf8'));
  const template = new Template(config.chat_template);
  const cases = [];
  let errors = 0;
  for (let i = 0; i < perFamily; i++) {
    const { messages, add_generation_prompt, extra } = conversation(family, i);
    const record = { id: i, messages, add_generation_prompt, extra };
    try {
      record.expected = template.render({ ...specialTokens(config), ...extra, messages, add_generation_prompt });
    } catch (e) {
      record.error = String(e.message ?? e);
      errors++;
    }
    cases.push(record);
  }

  const out = {
    renderer: `@huggingface/jinja ${jinjaPackage.version}`,
    template: family.configLabel,
    generator: 'make-fixtures.mjs (seeded; see its header)',
    cases,
  };
  const file = path.join(outDir, `${family.name}.cases.json`);
  // One case per line: compact, and a regenerated file diffs case by case.
  const head = JSON.stringify({ ...out, cases: [] }).slice(0, -2);
  fs.writeFileSync(file, `${head}\n${cases.map(c => JSON.stringify(c)).join(',\n')}\n]}\n`);
  console.log(`${family.name}: ${cases.length} cases (${errors} raise) -> ${file}`);
}
