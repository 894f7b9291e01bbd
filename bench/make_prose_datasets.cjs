// Datasets of real prose that nobody here wrote, from this machine: English paragraphs of the
// licence texts Debian ships (/usr/share/common-licenses), Japanese paragraphs and short Japanese
// questions from the Japanese message catalogues of Debian's packages (/usr/share/locale/ja).
// For measuring the credit estimate against real tokenizers (bench/estimate_accuracy.sh) and for
// fitting the rule's weights (bench/fit_token_rule.cpp).
// Usage: node make_prose_datasets.cjs OUT_DIR  -> english.jsonl japanese.jsonl questions_ja.jsonl varied.jsonl
'use strict';
const fs = require('fs');
const path = require('path');
const out = process.argv[2];
fs.mkdirSync(out, { recursive: true });

function moStrings(file) {
  let b;
  try { b = fs.readFileSync(file); } catch { return []; }
  if (b.length < 28 || b.readUInt32LE(0) !== 0x950412de) return [];
  const n = b.readUInt32LE(8), table = b.readUInt32LE(16), strings = [];
  for (let i = 1; i < n; ++i) {
    const len = b.readUInt32LE(table + 8 * i), off = b.readUInt32LE(table + 8 * i + 4);
    if (off + len <= b.length) strings.push(...b.toString('utf8', off, off + len).split('\0'));
  }
  return strings;
}

const english = [];
const licences = '/usr/share/common-licenses';
for (const f of fs.existsSync(licences) ? fs.readdirSync(licences).sort() : []) {
  let text;
  try { text = fs.readFileSync(path.join(licences, f), 'utf8'); } catch { continue; }
  for (const p of text.split(/\n\s*\n/)) {
    const para = p.replace(/\s+/g, ' ').trim();
    if (para.length >= 200 && para.length <= 3000) english.push(para);
  }
}

const japanese = [], questions = [];
const kana = /[\u3040-\u30ff]/;
const dir = '/usr/share/locale/ja/LC_MESSAGES';
for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
  for (const s of moStrings(path.join(dir, f))) {
    if (!kana.test(s) || s.includes('%') || s.includes('\\')) continue;
    const t = s.trim();
    if (/[？?]$/.test(t) && t.length <= 100 && !t.includes('\n')) questions.push(t);
    else if (t.length >= 120 && t.length <= 3000) japanese.push(t);
  }
}

// Other scripts, for fitting only: catalogue strings in French and German (accented Latin),
// Russian, Greek, Korean and Chinese, and emoji sequences (ZWJ families, skin tones, flags).
const varied = [];
for (const lang of ['fr', 'de', 'ru', 'el', 'ko', 'zh_CN']) {
  const d = `/usr/share/locale/${lang}/LC_MESSAGES`;
  let n = 0;
  for (const f of fs.existsSync(d) ? fs.readdirSync(d).sort() : []) {
    for (const s of moStrings(path.join(d, f))) {
      if (s.length < 20 || s.length > 400 || s.includes('%') || n >= 60) continue;
      varied.push(s.trim());
      ++n;
    }
  }
}
const emoji = ['👍', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇯🇵', '🧑🏿‍💻', '❤️‍🔥', '😀', '🫠', '🎉', '🚀'];
for (let i = 0; i < 40; ++i) varied.unshift(Array.from({ length: 1 + (i % 7) }, (_, k) => emoji[(i * 3 + k) % emoji.length]).join(i % 2 ? ' ' : ''));

const unique = (a) => [...new Set(a)];
function write(name, rows, prompt) {
  const lines = unique(rows).slice(0, 400).map((t, i) => JSON.stringify({ id: `${name}-${i}`, prompt: prompt(t) }));
  fs.writeFileSync(path.join(out, `${name}.jsonl`), lines.join('\n') + '\n');
  console.error(`${name}.jsonl: ${lines.length} rows`);
}
write('english', english, (t) => `Summarise this passage in one sentence:\n\n${t}`);
write('japanese', japanese, (t) => `次の文章を一文で要約してください。\n\n${t}`);
write('questions_ja', questions, (t) => t);
write('varied', varied, (t) => t);  // emoji first: a file keeps its first 400 rows
