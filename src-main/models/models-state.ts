// What the model manager remembers between runs, in one small JSON file in the studio folder:
// hashes recorded on first download (for catalog entries nobody published a hash for), the one-time
// non-commercial acknowledgement, and the commercial-clean setting.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const RecordedHashSchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), sizeBytes: z.number().int().nonnegative(), recordedAt: z.string() });

export const ModelsStateSchema = z.object({
  recordedHashes: z.record(z.string(), RecordedHashSchema).default({}),
  nonCommercialAcknowledgedAt: z.string().nullable().default(null),
  commercialClean: z.boolean().default(false),
});
export type ModelsState = z.infer<typeof ModelsStateSchema>;
export type RecordedHash = z.infer<typeof RecordedHashSchema>;

export class ModelsStateFile {
  readonly file: string;
  private cached: ModelsState | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
  }

  async read(): Promise<ModelsState> {
    if (this.cached) return this.cached;
    let json: unknown = {};
    try {
      json = JSON.parse(await readFile(this.file, 'utf8'));
    } catch {
      // Missing or torn: start from defaults. Recorded hashes are a convenience, never the only copy of anything.
    }
    const parsed = ModelsStateSchema.safeParse(json);
    this.cached = parsed.success ? parsed.data : ModelsStateSchema.parse({});
    return this.cached;
  }

  /** Applies a change and writes the file atomically; changes are serialised. */
  async update(change: (state: ModelsState) => void): Promise<ModelsState> {
    const state = await this.read();
    change(state);
    const text = JSON.stringify(state, null, 2);
    this.writing = this.writing.then(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      const temporary = `${this.file}.${process.pid}.tmp`;
      await writeFile(temporary, text);
      await rename(temporary, this.file);
    });
    await this.writing;
    return state;
  }
}
