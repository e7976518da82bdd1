// Where the optional Hugging Face token lives. The Electron shell implements SecretStore with
// safeStorage; host and CLI mode use FileSecretStore: a JSON file only its owner can read (0600).
// Values never appear in messages, logs or errors.
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../base/errors.ts';

export interface SecretStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

export const HUGGING_FACE_TOKEN = 'huggingface-token';

export class FileSecretStore implements SecretStore {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  async get(name: string): Promise<string | undefined> {
    return (await this.read())[name];
  }

  async set(name: string, value: string): Promise<void> {
    const secrets = await this.read();
    secrets[name] = value;
    await this.write(secrets);
  }

  async delete(name: string): Promise<void> {
    const secrets = await this.read();
    if (!(name in secrets)) return;
    delete secrets[name];
    await this.write(secrets);
  }

  private async read(): Promise<Record<string, string>> {
    let mode: number;
    try {
      mode = (await stat(this.file)).mode;
    } catch {
      return {};
    }
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new StudioError('model.secret-store-insecure', {
        userMessage: `${this.file} can be read by other users of this computer, so the studio will not use the token in it.`,
        hint: `Run: chmod 600 "${this.file}" (or delete the file and enter the token again).`,
      });
    }
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      return parsed && typeof parsed === 'object' ? { ...(parsed as Record<string, string>) } : {};
    } catch {
      return {}; // a torn or hand-edited file: treat as empty rather than leak its text into an error
    }
  }

  private async write(secrets: Record<string, string>): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(secrets), { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, this.file);
  }
}

/** The Authorization header for a Hugging Face download, or none. */
export async function huggingFaceHeaders(store: SecretStore | undefined): Promise<Record<string, string>> {
  const token = (await store?.get(HUGGING_FACE_TOKEN))?.trim();
  return token ? { authorization: `Bearer ${token}` } : {};
}
