// Writes small zip archives for tests (no zip64): deflated members like a downloaded buffalo_l.zip, stored ones as
// torch.save writes them, and, for the hostile corpus, headers that lie about their method or size.
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipMember {
  readonly name: string;
  readonly data: Uint8Array;
  /** Store the bytes as they are (method 0) instead of deflating them (method 8). */
  readonly store?: boolean;
  /** Compression method written in the headers instead of the real one (the data is not changed). */
  readonly method?: number;
  /** Compressed and uncompressed size written in the headers instead of the real ones. */
  readonly declaredSize?: number;
}

export function makeZip(members: readonly ZipMember[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const name = Buffer.from(member.name, 'utf8');
    const packed = member.store === true ? Buffer.from(member.data) : deflateRawSync(member.data);
    const method = member.method ?? (member.store === true ? 0 : 8);
    const packedSize = member.declaredSize ?? packed.length;
    const size = member.declaredSize ?? member.data.length;
    const crc = crc32(member.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packedSize, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packedSize, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
