// The EXIF UserComment of a JPEG or WebP, where A1111 keeps the `parameters` text of pictures it saves in those
// formats (modules/images.py save_image_with_geninfo: piexif UserComment.dump(geninfo, encoding="unicode"), i.e. the
// 8-byte charset prefix "UNICODE\0" then UTF-16 big-endian). Pure TypeScript so the renderer reads dropped files.

const EXIF_IFD_POINTER = 0x8769;
const USER_COMMENT = 0x9286;

/** The TIFF structure inside an EXIF block: its byte order and a reader of 16/32-bit values at offsets. */
function tiffReader(tiff: Uint8Array): { u16(at: number): number; u32(at: number): number } | undefined {
  if (tiff.length < 8) return undefined;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const order = String.fromCharCode(tiff[0]!, tiff[1]!);
  if (order !== 'II' && order !== 'MM') return undefined;
  const little = order === 'II';
  return { u16: (at) => view.getUint16(at, little), u32: (at) => view.getUint32(at, little) };
}

/** The value bytes of `tag` in the IFD at `ifd`, or undefined. */
function tagValue(tiff: Uint8Array, read: NonNullable<ReturnType<typeof tiffReader>>, ifd: number, tag: number): { bytes: Uint8Array; valueOffset: number } | undefined {
  if (ifd + 2 > tiff.length) return undefined;
  const count = read.u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return undefined;
    if (read.u16(entry) !== tag) continue;
    // UNDEFINED (7) and LONG (4) are what UserComment and the Exif IFD pointer use; values over 4 bytes live elsewhere.
    const type = read.u16(entry + 2);
    const size = read.u32(entry + 4) * (type === 4 ? 4 : 1);
    const start = size <= 4 ? entry + 8 : read.u32(entry + 8);
    return start + size > tiff.length ? undefined : { bytes: tiff.subarray(start, start + size), valueOffset: entry + 8 };
  }
  return undefined;
}

function decodeUserComment(value: Uint8Array): string {
  const prefix = String.fromCharCode(...value.subarray(0, 8));
  const text = value.subarray(8);
  if (prefix.startsWith('UNICODE')) {
    // piexif writes big-endian; some tools write little-endian. ASCII text shows which by where its zero bytes are.
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i + 1 < text.length; i += 2) {
      if (text[i] === 0) evenZeros++;
      if (text[i + 1] === 0) oddZeros++;
    }
    return new TextDecoder(oddZeros > evenZeros ? 'utf-16le' : 'utf-16be').decode(text).replace(/\0+$/u, '');
  }
  return new TextDecoder().decode(prefix.startsWith('ASCII') || prefix === '\0'.repeat(8) ? text : value).replace(/\0+$/u, '');
}

function userCommentOfTiff(tiff: Uint8Array): string | undefined {
  const read = tiffReader(tiff);
  if (read === undefined) return undefined;
  const ifd0 = read.u32(4);
  const pointer = tagValue(tiff, read, ifd0, EXIF_IFD_POINTER);
  if (pointer === undefined) return undefined;
  const comment = tagValue(tiff, read, read.u32(pointer.valueOffset), USER_COMMENT);
  return comment === undefined || comment.bytes.length <= 8 ? undefined : decodeUserComment(comment.bytes);
}

const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"

function withoutExifHeader(block: Uint8Array): Uint8Array {
  return EXIF_HEADER.every((b, i) => block[i] === b) ? block.subarray(6) : block;
}

/** JPEG: the APP1 segment that starts with "Exif\0\0". */
function jpegExif(bytes: Uint8Array): Uint8Array | undefined {
  let offset = 2;
  while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
    const marker = bytes[offset + 1]!;
    // Start of scan or end of image: no more metadata segments.
    if (marker === 0xda || marker === 0xd9) return undefined;
    const length = (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    const segment = bytes.subarray(offset + 4, offset + 2 + length);
    if (marker === 0xe1 && EXIF_HEADER.every((b, i) => segment[i] === b)) return segment.subarray(6);
    offset += 2 + length;
  }
  return undefined;
}

/** WebP: the RIFF chunk `EXIF` (with or without the "Exif\0\0" header, as writers differ). */
function webpExif(bytes: Uint8Array): Uint8Array | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const type = String.fromCharCode(...bytes.subarray(offset, offset + 4));
    const size = view.getUint32(offset + 4, true);
    if (type === 'EXIF') return withoutExifHeader(bytes.subarray(offset + 8, Math.min(bytes.length, offset + 8 + size)));
    offset += 8 + size + (size % 2);
  }
  return undefined;
}

/** The EXIF UserComment text of a JPEG or WebP file; undefined for other files or when there is none. */
export function readExifUserComment(bytes: Uint8Array): string | undefined {
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const isWebp = String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP';
  const tiff = isJpeg ? jpegExif(bytes) : isWebp ? webpExif(bytes) : undefined;
  return tiff === undefined ? undefined : userCommentOfTiff(tiff);
}
