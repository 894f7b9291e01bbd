// The oracle for evalrun's tokenizers: @lenml/tokenizers (a JavaScript port of transformers.js'
// tokenizers, written by nobody here) encodes a few thousand strings with one of the real model
// tokenizers shipped in the @lenml/tokenizer-* packages, and renders chat prompts with the
// package's own chat template. Prints JSON: {"dir", "texts": [[text, count]...],
// "chats": [[messages, count, rendered text]...]} for the C++ test to compare against.
// Usage: node tokenizer_oracle.cjs NPM_PREFIX PACKAGE (e.g. tokenizer-llama3_1), or a directory
// holding tokenizer.json and tokenizer_config.json in place of PACKAGE
'use strict';
const fs = require('fs');
const path = require('path');

const [npm, pkg] = process.argv.slice(2);
const { TokenizerLoader } = require(path.join(npm, 'node_modules/@lenml/tokenizers'));
const dir = path.isAbsolute(pkg) ? pkg : path.join(npm, 'node_modules/@lenml', pkg, 'models');
const config = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json')));
const tok = TokenizerLoader.fromPreTrained({
  tokenizerJSON: JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'))),
  tokenizerConfig: config,
});

// A fixed-seed generator: the same strings on every run.
let seed = 20261202;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const pick = (a) => a[Math.floor(rand() * a.length)];

// Text from this machine that nobody here wrote, where it has it: the licence texts, and the
// Japanese, Chinese and Korean translations in Debian's message catalogues.
function lines(file) {
  try { return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim().length > 0); }
  catch { return []; }
}
function moStrings(file) {  // GNU .mo: the translated strings
  let b;
  try { b = fs.readFileSync(file); } catch { return []; }
  if (b.length < 28 || b.readUInt32LE(0) !== 0x950412de) return [];
  const n = b.readUInt32LE(8), table = b.readUInt32LE(16), out = [];
  for (let i = 1; i < n && out.length < 400; ++i) {
    const len = b.readUInt32LE(table + 8 * i), off = b.readUInt32LE(table + 8 * i + 4);
    if (off + len <= b.length) out.push(b.toString('utf8', off, off + len));
  }
  return out;
}
function catalogue(lang) {
  const out = [];
  for (const name of ['coreutils', 'apt', 'dpkg', 'bash', 'grep', 'findutils', 'diffutils', 'gettext-tools'])
    out.push(...moStrings(`/usr/share/locale/${lang}/LC_MESSAGES/${name}.mo`));
  return out;
}

const english = [
  ...lines('/usr/share/common-licenses/GPL-3').slice(0, 300),
  'The quick brown fox jumps over the lazy dog.', "It's what they'd've done, isn't it? I'll see.",
  'HELLO World; CamelCaseIdentifiers and snake_case_names, URLs like https://example.com/a?b=c#d.',
];
const japanese = [...catalogue('ja'),
  '吾輩は猫である。名前はまだ無い。', 'どこで生れたかとんと見当がつかぬ。', '東京都の人口は約1400万人です。',
  'カタカナとひらがな、そして漢字を混ぜた文章。', 'ｱｲｳｴｵ 半角カナ と 全角ＡＢＣ１２３',
  '日本の首都はどこですか？', '次の文を英語に訳してください：「今日は雨です。」'];
const chinese = [...catalogue('zh_CN'), '我们今天去公园散步吧。', '机器学习模型的评估需要大量数据。',
  '繁體中文與简体中文並存。'];
const korean = [...catalogue('ko'), '안녕하세요, 만나서 반갑습니다.', '한국어 문장을 토큰화합니다.'];
const emoji = ['👍', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇯🇵🇺🇸', '1️⃣', '🧑🏿‍💻', '❤️‍🔥', '😀😃😄', '🫠', '👩🏻‍❤️‍💋‍👨🏼'];
const code = [
  'int main(int argc, char** argv) {\n  return 0;\n}\n', 'def f(x):\n    return x ** 2  # square\n',
  '{"key": [1, 2.5, -3e10, null, true], "nested": {"a": "b"}}', 'SELECT * FROM t WHERE id >= 42;',
  '    for (auto& [k, v] : map) std::cout << k << "=" << v << "\\n";', '<div class="x">&amp;</div>',
  "const re = /^\\s*(\\d+)\\.(\\d+)$/u;", '$ ls -la | grep "^d" > out.txt 2>&1'];
const edges = ['e\u0301', 'cafe\u0301 vs café', '\u1100\u1161\u11a8', '\ufeffBOM', 'a\u00a0b', 'x\u3000y',
  'zero\u200bwidth', 'joiner\u200d', 'مرحبا بالعالم', 'שלום עולם', 'Ελληνικά κείμενα', 'Привет, мир!',
  '\ue000private', '\u{10ffff}', '\u{1d400}\u{1d401}', 'ﬁ ligature', 'Ⅻ ½ ² ①', 'tab\tand\vvertical\f',
  '\r\n\r\n', '\u0085next', '\u2028line\u2029para', "'S 'T 'RE 'VE", 'don’t “smart” quotes', '…—–',
  '<|eot_id|>', '<|im_end|>', '<end_of_turn>', '<｜end▁of▁sentence｜>', '<|endoftext|>', '▁▁x', '\u0000nul'];
const numbers = () => pick([String(Math.floor(rand() * 1e9)), (rand() * 1000).toFixed(3), '1,234,567.89',
  '3.14159265358979', '+1 (555) 010-9999', '2026-12-02T18:39:09Z', '0x1F4A9', '1e-7', '١٢٣٤', '１２３']);
const spaces = () => pick([' ', '  ', '    ', '\n', '\n\n', '\t', ' \n ', '   \n\n\n', '\n    ', '        ']);

const pools = [english, japanese, chinese, korean, emoji, code, edges];
const texts = [];
for (const pool of pools) for (const s of pool.slice(0, 220)) texts.push(s);
while (texts.length < 2400) {  // mixtures: pieces of every kind joined by runs of space
  let s = '';
  const parts = 1 + Math.floor(rand() * 6);
  for (let i = 0; i < parts; ++i) {
    const r = rand();
    s += r < 0.15 ? numbers() : r < 0.3 ? spaces() : pick(pick(pools));
    if (rand() < 0.5) s += spaces();
  }
  texts.push(s);
}

const count = (s) => tok.encode(s, { add_special_tokens: false }).length;
const out = { dir, texts: texts.map((s) => [s, count(s)]), chats: [] };

// Chat prompts: the package's chat template rendered by @huggingface/jinja (Hugging Face's own
// JavaScript Jinja, the renderer transformers.js uses; @lenml's cannot parse Qwen 3's or Gemma 3's),
// (its strftime_now is today's date, as on a server: run it with TZ=UTC), then encoded as servers do, adding no special tokens.
const { Template } = require(path.join(npm, 'node_modules/@huggingface/jinja'));
const tokenText = (t) => (t && typeof t === 'object' ? t.content : t) ?? '';
if (config.chat_template) {
  const template = new Template(config.chat_template);
  const says = () => pick([...english.slice(0, 60), ...japanese.slice(0, 60), pick(code), pick(emoji)]);
  for (let i = 0; i < 60; ++i) {
    const messages = [];
    if (i % 2 === 0) messages.push({ role: 'system', content: pick(['You are a helpful assistant.', '  簡潔に答えてください。\n', says()]) });
    const turns = 1 + (i % 3);
    for (let t = 0; t < turns; ++t) {
      messages.push({ role: 'user', content: (i % 5 === 0 ? '  ' : '') + says() + (i % 7 === 0 ? '\n\n' : '') });
      // After a think block, no leading spaces: @huggingface/jinja's lstrip('\n') strips every
      // kind of whitespace where Python's (the servers') strips only newlines.
      if (t + 1 < turns) messages.push({ role: 'assistant', content: i % 4 === 1 ? '<think>\nhm\n</think>\n\n' + says().trimStart() : says() });
    }
    const text = template.render({ messages, add_generation_prompt: true, bos_token: tokenText(config.bos_token),
      eos_token: tokenText(config.eos_token) });
    out.chats.push([messages, count(text), text]);
  }
}
process.stdout.write(JSON.stringify(out));
