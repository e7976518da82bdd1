// The text cleanup CLIP's tokenizer runs before BPE, as SD1.5 pipelines run it: transformers' CLIPTokenizer calls
// ftfy.fix_text, then collapses whitespace and lowercases. No npm library ports ftfy, so this is the part of
// fix_text (ftfy 6.1 defaults) that changes prompts in practice: HTML entities (only when the text has no '<'),
// terminal escapes, UTF-8 read as Windows-1252 ("cafÃ©" → "café"), C1 controls read as Windows-1252, Latin
// ligatures, full-width characters, curly quotes, line breaks, control characters, NFC. Like ftfy it repeats the
// fixes until the text stops changing.

// Windows-1252 bytes 0x80–0x9F and the characters they decode to (0x81, 0x8D, 0x8F, 0x90, 0x9D decode to themselves,
// as ftfy's "sloppy" codec does).
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';
const CP1252_BYTE = new Map<string, number>();
for (let i = 0; i < 32; i++) CP1252_BYTE.set(CP1252_HIGH[i]!, 0x80 + i);
// Bytes read as Latin-1 (C1 controls) are accepted too, as ftfy's fix_encoding does.
for (let b = 0x80; b <= 0xff; b++) if (b >= 0xa0 || !CP1252_BYTE.has(String.fromCharCode(b))) CP1252_BYTE.set(String.fromCharCode(b), b);

const CONTINUATION = `[\\u0080-\\u00BF${CP1252_HIGH}]`;
// One UTF-8 sequence (lead byte + continuation bytes) as it looks after being decoded as Windows-1252.
const MOJIBAKE = new RegExp(`[\\u00C2-\\u00DF]${CONTINUATION}|[\\u00E0-\\u00EF]${CONTINUATION}{2}|[\\u00F0-\\u00F4]${CONTINUATION}{3}`, 'gu');
const MOJIBAKE_RUN = new RegExp(`(?:${MOJIBAKE.source})+`, 'gu');

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function fixMojibake(text: string): string {
  return text.replace(MOJIBAKE_RUN, (run) => {
    const bytes = Uint8Array.from(Array.from(run, (ch) => CP1252_BYTE.get(ch) ?? 0));
    try {
      return strictUtf8.decode(bytes);
    } catch {
      return run;
    }
  });
}

const C1_CONTROLS = /[\u0080-\u009F]/gu;
const fixC1Controls = (text: string): string =>
  text.replace(C1_CONTROLS, (ch) => CP1252_HIGH[ch.charCodeAt(0) - 0x80] ?? ch);

const LIGATURES: Readonly<Record<string, string>> = {
  'Ĳ': 'IJ', 'ĳ': 'ij', 'ŉ': 'ʼn', 'Ǳ': 'DZ', 'ǲ': 'Dz', 'ǳ': 'dz', 'Ǆ': 'DŽ', 'ǅ': 'Dž', 'ǆ': 'dž', 'Ǉ': 'LJ', 'ǈ': 'Lj',
  'ǉ': 'lj', 'Ǌ': 'NJ', 'ǋ': 'Nj', 'ǌ': 'nj', 'ﬀ': 'ff', 'ﬁ': 'fi', 'ﬂ': 'fl', 'ﬃ': 'ffi', 'ﬄ': 'ffl', 'ﬅ': 'ſt', 'ﬆ': 'st',
};
const LIGATURE_RE = new RegExp(`[${Object.keys(LIGATURES).join('')}]`, 'gu');

// Full-width and half-width forms (U+FF01–U+FFEF) and the ideographic space become their ordinary forms.
const WIDTH_RE = /[\u3000\uFF01-\uFFEF]/gu;
const fixWidth = (text: string): string => text.replace(WIDTH_RE, (ch) => (ch === '\u3000' ? ' ' : ch.normalize('NFKC')));

const SINGLE_QUOTES = /[\u02BC\u2018-\u201B]/gu;
const DOUBLE_QUOTES = /[\u201C-\u201F]/gu;
const LINE_BREAKS = /\r\n|[\r\u2028\u2029\u0085]/gu;
const TERMINAL_ESCAPES = /\u001B\[(?:\d+;)*\d*[A-Za-z]/gu;
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000E-\u001F\u007F\u206A-\u206F\uFEFF\uFFF9-\uFFFC]/gu;

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00A0', copy: '©', reg: '®', trade: '™', hellip: '…',
  mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', deg: '°', times: '×',
  eacute: 'é', egrave: 'è', agrave: 'à', aacute: 'á', ccedil: 'ç', ouml: 'ö', uuml: 'ü', auml: 'ä', szlig: 'ß',
};
const ENTITY_RE = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/gu;

function unescapeHtml(text: string): string {
  // ftfy leaves text that looks like HTML (it contains '<') alone.
  if (!text.includes('&') || text.includes('<')) return text;
  return text.replace(ENTITY_RE, (entity, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED_ENTITIES[name] ?? NAMED_ENTITIES[name.toLowerCase()] ?? entity;
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : entity;
  });
}

function fixOnce(text: string): string {
  let t = unescapeHtml(text);
  t = t.replace(TERMINAL_ESCAPES, '');
  t = fixMojibake(t);
  t = fixC1Controls(t);
  t = t.replace(LIGATURE_RE, (ch) => LIGATURES[ch] ?? ch);
  t = fixWidth(t);
  t = t.replace(SINGLE_QUOTES, "'").replace(DOUBLE_QUOTES, '"');
  t = t.replace(LINE_BREAKS, '\n');
  t = t.replace(CONTROL_CHARS, '');
  return t.normalize('NFC');
}

/** ftfy.fix_text's prompt-relevant fixes, repeated until stable (ftfy does the same). */
export function fixText(text: string): string {
  let current = text;
  for (let attempt = 0; attempt < 16; attempt++) {
    const next = fixOnce(current);
    if (next === current) return next;
    current = next;
  }
  return current;
}

// Python's str.split()/`\s` whitespace: JavaScript's `\s` misses U+001C–U+001F and U+0085, and adds U+FEFF.
const PY_WHITESPACE = /[\s\u001C-\u001F\u0085]+/gu;

/** What CLIPTokenizer feeds its BPE: fix_text, whitespace collapsed and stripped, lowercased. */
export function cleanPromptText(text: string): string {
  return fixText(text).replace(PY_WHITESPACE, ' ').replace(/\uFEFF/gu, '').trim().toLowerCase();
}
