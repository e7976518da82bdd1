// The "NVIDIA GPU runtime": onnxruntime's CUDA provider, which onnxruntime-node's npm package leaves out (its install
// script fetches it from NuGet; our .npmrc skips that). Fetched here as the Microsoft.ML.OnnxRuntime.Gpu.<OS> NuGet
// package of exactly the installed onnxruntime version, checked, and unpacked beside onnxruntime's own library —
// the only place onnxruntime looks for provider libraries (the folder of libonnxruntime).
//
// Verification: nuget.org publishes each package's SHA-512 and size in its catalog entry (found through the
// version's registration leaf). Both are fetched at install time — they cannot be pinned in the studio, as no
// machine that builds it reaches nuget.org — and the download must match both; the package's .nuspec must name the
// expected id and version; every library must be in it. NuGet's repository signature (.signature.p7s) is not
// checked. A package given as a local file (gpu-check on an offline machine) is checked against a SHA-512 given with
// it, else only by its .nuspec and layout, and the result says so.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { access, constants, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fetch, type Dispatcher } from 'undici';
import { StudioError } from '../base/errors.ts';
import { readZipEntries } from '../engine/io/pytorch/zip.ts';
import { providerSpec } from '../engine/onnx/execution-providers.ts';
import { DEFAULT_RETRY, downloadFile, type RetryPolicy } from './download.ts';
import type { DownloadProgress } from './download-progress.ts';
import { extractZipMember } from './zip-member.ts';

export const GPU_RUNTIME_ID = 'nvidia-gpu-runtime';
export const GPU_RUNTIME_TITLE = 'NVIDIA GPU runtime';

/** nuget.org's two resources used: where packages are (flat container) and where their metadata is (registrations). */
export interface NugetFeed {
  readonly flatContainerUrl: string;
  readonly registrationsUrl: string;
}

export const NUGET_ORG: NugetFeed = {
  flatContainerUrl: 'https://api.nuget.org/v3-flatcontainer',
  registrationsUrl: 'https://api.nuget.org/v3/registration5-semver1',
};

/**
 * The NuGet package per platform. Only Linux x64: onnxruntime-node 1.30.0's Windows binding is built without CUDA
 * (its backends are cpu, dml, webgpu; install-metadata lists nothing for win32), so the .Windows package's DLLs
 * would never be loaded there — NVIDIA GPUs on Windows run through DirectML.
 */
const PACKAGES: Readonly<Record<string, { readonly nugetId: string; readonly rid: string }>> = {
  'linux-x64': { nugetId: 'Microsoft.ML.OnnxRuntime.Gpu.Linux', rid: 'linux-x64' },
};

export interface GpuRuntimePackage {
  readonly nugetId: string;
  readonly version: string;
  /** The .nupkg in the flat container. */
  readonly packageUrl: string;
  /** The registration leaf of that version (points to the catalog entry with the published hash). */
  readonly registrationUrl: string;
  /** Paths inside the package → file names in the native folder. */
  readonly members: ReadonlyArray<{ readonly pathInPackage: string; readonly fileName: string }>;
}

/** The package for a platform and onnxruntime version, or undefined where there is none that would load. */
export function gpuRuntimePackage(platform: NodeJS.Platform, arch: string, version: string, feed: NugetFeed = NUGET_ORG): GpuRuntimePackage | undefined {
  const known = PACKAGES[`${platform}-${arch}`];
  const libraries = providerSpec('cuda')?.providerLibraries?.[platform];
  if (!known || !libraries) return undefined;
  const id = known.nugetId.toLowerCase();
  const v = version.toLowerCase();
  return {
    nugetId: known.nugetId,
    version,
    packageUrl: `${feed.flatContainerUrl}/${id}/${v}/${id}.${v}.nupkg`,
    registrationUrl: `${feed.registrationsUrl}/${id}/${v}.json`,
    members: libraries.map((fileName) => ({ pathInPackage: `runtimes/${known.rid}/native/${fileName}`, fileName })),
  };
}

export type GpuRuntimeState = { readonly state: 'unsupported'; readonly reason: string } | { readonly state: 'missing' | 'installed'; readonly package: GpuRuntimePackage; readonly nativeFolder: string };

export function gpuRuntimeState(options: { nativeFolder: string; platform: NodeJS.Platform; arch: string; onnxruntimeVersion: string; feed?: NugetFeed }): GpuRuntimeState {
  const pkg = gpuRuntimePackage(options.platform, options.arch, options.onnxruntimeVersion, options.feed);
  if (!pkg) {
    return {
      state: 'unsupported',
      reason: `onnxruntime-node ${options.onnxruntimeVersion} can use a CUDA provider on Linux x64 only (this is ${options.platform}-${options.arch})${options.platform === 'win32' ? '; NVIDIA GPUs on Windows run through DirectML' : ''}`,
    };
  }
  const isInstalled = pkg.members.every((m) => existsSync(path.join(options.nativeFolder, m.fileName)));
  return { state: isInstalled ? 'installed' : 'missing', package: pkg, nativeFolder: options.nativeFolder };
}

export interface InstallGpuRuntimeOptions {
  readonly nativeFolder: string;
  /** Where the .nupkg is downloaded (and resumed from); it is deleted once unpacked. */
  readonly downloadsDir: string;
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  readonly onnxruntimeVersion: string;
  readonly feed?: NugetFeed;
  /** A .nupkg already on disk: used instead of downloading, and kept. */
  readonly localPackage?: string;
  /** The SHA-512 (hex or base64) the local package must have. */
  readonly localPackageSha512?: string;
  readonly dispatcher?: Dispatcher;
  readonly retry?: RetryPolicy;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
}

export interface InstalledGpuRuntime {
  readonly nativeFolder: string;
  readonly files: readonly string[];
  /** Base64, as NuGet publishes it. */
  readonly sha512: string;
  /** What the package was checked against. */
  readonly verifiedAgainst: string;
}

/** What is written beside the libraries: which package they came from. */
const RECORD_FILE = 'nvidia-gpu-runtime.json';

export async function installGpuRuntime(options: InstallGpuRuntimeOptions): Promise<InstalledGpuRuntime> {
  const state = gpuRuntimeState(options);
  if (state.state === 'unsupported') throw new StudioError('model.gpu-runtime-unsupported', { userMessage: `The ${GPU_RUNTIME_TITLE} cannot be used here: ${state.reason}.` });
  const pkg = state.package;
  await ensureWritable(options.nativeFolder);

  let packageFile: string;
  let verifiedAgainst: string;
  let sha512: string;
  if (options.localPackage) {
    packageFile = options.localPackage;
    sha512 = await sha512Base64(packageFile);
    if (options.localPackageSha512) {
      await checkHash(sha512, options.localPackageSha512, `${path.basename(packageFile)}`, 'the SHA-512 given with it', null);
      verifiedAgainst = 'the SHA-512 given with the local package, its .nuspec and its layout';
    } else {
      verifiedAgainst = 'its .nuspec and layout only (no SHA-512 was given with the local package)';
    }
  } else {
    const published = await publishedHash(pkg, options);
    packageFile = path.join(options.downloadsDir, path.basename(new URL(pkg.packageUrl).pathname));
    const result = await downloadFile({
      url: pkg.packageUrl,
      destination: packageFile,
      expectedSizeBytes: published.sizeBytes,
      label: `the ${GPU_RUNTIME_TITLE} (${pkg.nugetId} ${pkg.version})`,
      retry: options.retry ?? DEFAULT_RETRY,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    sha512 = await sha512Base64(packageFile);
    if (result.sizeBytes !== published.sizeBytes) {
      await rm(packageFile, { force: true });
      throw mismatch(`it has ${result.sizeBytes} bytes, but nuget.org publishes ${published.sizeBytes}`, pkg);
    }
    await checkHash(sha512, published.sha512, pkg.nugetId, "nuget.org's catalog entry", packageFile);
    verifiedAgainst = `nuget.org's published SHA-512 and size (${published.catalogUrl}), its .nuspec and its layout`;
  }

  await unpack(packageFile, pkg, options.nativeFolder, options.localPackage === undefined);
  await writeFile(path.join(options.nativeFolder, RECORD_FILE), JSON.stringify({ nugetId: pkg.nugetId, version: pkg.version, sha512, verifiedAgainst, installedAt: new Date().toISOString() }, null, 2));
  if (!options.localPackage) await rm(packageFile, { force: true });
  return { nativeFolder: options.nativeFolder, files: pkg.members.map((m) => m.fileName), sha512, verifiedAgainst };
}

/** Reads the hash record written at install (doctor shows it); null when absent or unreadable. */
export async function installedGpuRuntimeRecord(nativeFolder: string): Promise<{ nugetId: string; version: string; verifiedAgainst: string; installedAt: string } | null> {
  try {
    return JSON.parse(await readFile(path.join(nativeFolder, RECORD_FILE), 'utf8')) as { nugetId: string; version: string; verifiedAgainst: string; installedAt: string };
  } catch {
    return null;
  }
}

async function ensureWritable(folder: string): Promise<void> {
  try {
    await access(folder, constants.W_OK);
  } catch (cause) {
    throw new StudioError('model.install-folder-read-only', {
      userMessage: `The ${GPU_RUNTIME_TITLE} must be unpacked beside onnxruntime in ${folder}, but that folder cannot be written.`,
      hint: 'onnxruntime loads providers only from its own folder: run the studio from a copy the user can write (not a read-only AppImage or a system folder), or unpack it there as an administrator.',
      cause,
    });
  }
}

/** The registration leaf names the catalog entry; the catalog entry carries packageHash (SHA-512, base64) and packageSize. */
async function publishedHash(pkg: GpuRuntimePackage, options: InstallGpuRuntimeOptions): Promise<{ sha512: string; sizeBytes: number; catalogUrl: string }> {
  const leaf = (await fetchJson(pkg.registrationUrl, options)) as { catalogEntry?: unknown };
  const catalogUrl = typeof leaf.catalogEntry === 'string' ? leaf.catalogEntry : (leaf.catalogEntry as { '@id'?: string } | undefined)?.['@id'];
  if (!catalogUrl) throw metadataError(pkg, `${pkg.registrationUrl} names no catalog entry`);
  const entry = (await fetchJson(catalogUrl, options)) as { packageHash?: string; packageHashAlgorithm?: string; packageSize?: number; id?: string; version?: string };
  if (entry.packageHashAlgorithm !== 'SHA512' || typeof entry.packageHash !== 'string' || typeof entry.packageSize !== 'number') {
    throw metadataError(pkg, `its catalog entry has no SHA-512 package hash and size`);
  }
  if (entry.id?.toLowerCase() !== pkg.nugetId.toLowerCase() || entry.version?.toLowerCase() !== pkg.version.toLowerCase()) {
    throw metadataError(pkg, `its catalog entry describes ${entry.id} ${entry.version}`);
  }
  return { sha512: entry.packageHash, sizeBytes: entry.packageSize, catalogUrl };
}

async function fetchJson(url: string, options: InstallGpuRuntimeOptions): Promise<unknown> {
  let response;
  try {
    response = await fetch(url, { ...(options.signal ? { signal: options.signal } : {}), ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) });
  } catch (cause) {
    throw new StudioError('model.download-failed', {
      userMessage: `The ${GPU_RUNTIME_TITLE}'s published checksum could not be read from ${new URL(url).host}: ${(cause as Error).message}.`,
      hint: 'Check the network connection (and HTTPS_PROXY if you use a proxy), or install from a downloaded .nupkg with `faceid models install-gpu-runtime --from FILE`.',
      cause,
    });
  }
  if (response.status === 404) {
    await response.body?.cancel();
    throw new StudioError('model.source-not-found', { userMessage: `nuget.org has no ${url.split('/').slice(-2).join(' ')} (the server answered 404).` });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new StudioError('model.source-unavailable', { userMessage: `${new URL(url).host} answered ${response.status} for the ${GPU_RUNTIME_TITLE}'s metadata.`, hint: 'Try again later.' });
  }
  return response.json();
}

async function sha512Base64(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('base64');
}

/** Compares a base64 SHA-512 with an expected one written in base64 or hex; on mismatch deletes `deleteFile` and throws. */
async function checkHash(actualBase64: string, expected: string, what: string, source: string, deleteFile: string | null): Promise<void> {
  const expectedBase64 = /^[0-9a-f]{128}$/i.test(expected) ? Buffer.from(expected, 'hex').toString('base64') : expected;
  if (actualBase64 === expectedBase64) return;
  if (deleteFile) await rm(deleteFile, { force: true });
  throw new StudioError('model.checksum-mismatch', {
    userMessage: `${what} has SHA-512 ${actualBase64}, but ${source} says ${expectedBase64}. Nothing was installed${deleteFile ? ' and the download was deleted' : ''}.`,
    hint: 'Try again; if it happens again the source changed or a proxy altered the file.',
  });
}

function mismatch(what: string, pkg: GpuRuntimePackage): StudioError {
  return new StudioError('model.checksum-mismatch', {
    userMessage: `The download of ${pkg.nugetId} ${pkg.version} is wrong: ${what}. Nothing was installed and the download was deleted.`,
    hint: 'Try again; if it happens again the source changed or a proxy altered the file.',
  });
}

function metadataError(pkg: GpuRuntimePackage, what: string): StudioError {
  return new StudioError('model.download-failed', { userMessage: `The published checksum of ${pkg.nugetId} ${pkg.version} could not be read: ${what}.` });
}

function packageError(packageFile: string, what: string): StudioError {
  return new StudioError('model.download-failed', {
    userMessage: `${path.basename(packageFile)} is not the expected ${GPU_RUNTIME_TITLE} package: ${what}. Nothing was installed.`,
    hint: 'Use the Microsoft.ML.OnnxRuntime.Gpu.Linux package of the same version as onnxruntime-node.',
  });
}

/**
 * Checks the .nuspec and that every library is there, extracts the libraries into a staging folder beside the
 * native folder, then renames them in: a failure leaves no half-installed provider. A downloaded package that
 * fails the checks is deleted (a local one is the user's).
 */
async function unpack(packageFile: string, pkg: GpuRuntimePackage, nativeFolder: string, deleteOnFailure: boolean): Promise<void> {
  const staging = path.join(nativeFolder, `.${GPU_RUNTIME_ID}-staging`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    const entries = await readZipEntries(packageFile, (await stat(packageFile)).size, (what, why) => packageError(packageFile, `${what} is damaged (${why})`));
    const nuspecName = [...entries.keys()].find((name) => !name.includes('/') && name.toLowerCase().endsWith('.nuspec'));
    if (!nuspecName) throw packageError(packageFile, 'it has no .nuspec');
    await extractZipMember(packageFile, nuspecName, path.join(staging, 'package.nuspec'));
    const nuspec = await readFile(path.join(staging, 'package.nuspec'), 'utf8');
    const id = /<id>([^<]+)<\/id>/.exec(nuspec)?.[1]?.trim();
    const version = /<version>([^<]+)<\/version>/.exec(nuspec)?.[1]?.trim();
    if (id?.toLowerCase() !== pkg.nugetId.toLowerCase() || version?.toLowerCase() !== pkg.version.toLowerCase()) {
      throw packageError(packageFile, `its .nuspec names ${id ?? '(no id)'} ${version ?? '(no version)'}, not ${pkg.nugetId} ${pkg.version}`);
    }
    const absent = pkg.members.filter((m) => !entries.has(m.pathInPackage));
    if (absent.length > 0) throw packageError(packageFile, `it lacks ${absent.map((m) => m.pathInPackage).join(', ')}`);
    for (const member of pkg.members) await extractZipMember(packageFile, member.pathInPackage, path.join(staging, member.fileName));
    for (const member of pkg.members) await rename(path.join(staging, member.fileName), path.join(nativeFolder, member.fileName));
  } catch (error) {
    if (deleteOnFailure) await rm(packageFile, { force: true });
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
