// PNG text chunks without Node (the renderer reads dropped PNGs with it): tEXt when the text is Latin-1, iTXt
// (UTF-8, uncompressed) otherwise, as PIL writes A1111's `parameters`. Compressed zTXt/iTXt are not read.

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function isPng(png: Uint8Array): boolean {
  return png.length >= 8 && SIGNATURE.every((b, i) => png[i] === b);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Returns a copy of the PNG with a text chunk `key` = `value` right after IHDR. */
export function addPngText(png: Uint8Array, key: string, value: string): Uint8Array {
  if (!isPng(png)) throw new Error('not a PNG file');
  if (!/^[\x20-\x7e]{1,79}$/u.test(key)) throw new Error(`PNG text key must be 1–79 printable Latin-1 characters: ${key}`);
  const latin1 = [...value].every((ch) => ch.codePointAt(0)! <= 0xff);
  const keyBytes = Uint8Array.from(key, (ch) => ch.charCodeAt(0));
  let data: Uint8Array;
  let type: string;
  if (latin1) {
    type = 'tEXt';
    data = new Uint8Array([...keyBytes, 0, ...Uint8Array.from(value, (ch) => ch.charCodeAt(0))]);
  } else {
    // keyword \0, compression flag 0, method 0, empty language tag \0, empty translated keyword \0, UTF-8 text.
    type = 'iTXt';
    data = new Uint8Array([...keyBytes, 0, 0, 0, 0, 0, ...new TextEncoder().encode(value)]);
  }
  const ihdrEnd = 8 + 12 + new DataView(png.buffer, png.byteOffset).getUint32(8);
  const text = chunk(type, data);
  const out = new Uint8Array(png.length + text.length);
  out.set(png.subarray(0, ihdrEnd), 0);
  out.set(text, ihdrEnd);
  out.set(png.subarray(ihdrEnd), ihdrEnd + text.length);
  return out;
}

/** The chunks of a PNG, each with where it lies and its data; stops at IEND or at a damaged length. */
function* chunks(png: Uint8Array): Generator<{ offset: number; end: number; type: string; data: Uint8Array }> {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let offset = 8;
  while (offset + 12 <= png.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > png.length) return;
    yield { offset, end, type, data: png.subarray(offset + 8, offset + 8 + length) };
    if (type === 'IEND') return;
    offset = end;
  }
}

function keywordOf(data: Uint8Array): string | undefined {
  const zero = data.indexOf(0);
  return zero > 0 ? String.fromCharCode(...data.subarray(0, zero)) : undefined;
}

/** A copy of the PNG where `key` has exactly one text chunk, `value`: any earlier ones under that key are dropped. */
export function setPngText(png: Uint8Array, key: string, value: string): Uint8Array {
  if (!isPng(png)) throw new Error('not a PNG file');
  const kept: Uint8Array[] = [png.subarray(0, 8)];
  let last = 8;
  for (const { offset, end, type, data } of chunks(png)) {
    const isText = type === 'tEXt' || type === 'iTXt' || type === 'zTXt';
    if (!(isText && keywordOf(data) === key)) kept.push(png.subarray(offset, end));
    last = end;
  }
  kept.push(png.subarray(last));
  const without = new Uint8Array(kept.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of kept) {
    without.set(part, at);
    at += part.length;
  }
  return addPngText(without, key, value);
}

/** Every uncompressed tEXt / iTXt entry of a PNG (later entries win); empty for non-PNG or damaged input. */
export function readPngTexts(png: Uint8Array): Record<string, string> {
  const texts: Record<string, string> = {};
  if (!isPng(png)) return texts;
  for (const { type, data } of chunks(png)) {
    const zero = data.indexOf(0);
    if (zero > 0 && type === 'tEXt') {
      texts[String.fromCharCode(...data.subarray(0, zero))] = Array.from(data.subarray(zero + 1), (b) => String.fromCharCode(b)).join('');
    } else if (zero > 0 && type === 'iTXt' && data[zero + 1] === 0) {
      const languageEnd = data.indexOf(0, zero + 3);
      const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
      if (translatedEnd > 0) texts[String.fromCharCode(...data.subarray(0, zero))] = new TextDecoder().decode(data.subarray(translatedEnd + 1));
    }
  }
  return texts;
}
