// onnxruntime sessions created once and reused across jobs. Accelerated execution providers (execution-providers.ts,
// best first) are tried before CPU; one that cannot work here, or fails to open a session, is remembered with the
// reason (shown in Settings) and not tried again. The pool keeps the sessions' estimated memory under a budget by
// releasing the least recently used ones.
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { StudioError } from '../../base/errors.ts';
import { automaticProviders, currentProviderHost, providerSpec, providerUnusableBecause, type ProviderHost } from './execution-providers.ts';
import { openSession, type OpenSessionOptions } from './session.ts';
import { weightFootprint } from './weight-footprint.ts';

export interface ProviderStatus {
  readonly provider: string;
  readonly available: boolean;
  /** Why it is not used (load failure, not present in this build). */
  readonly reason?: string;
}

export interface PooledSession {
  readonly session: ort.InferenceSession;
  readonly provider: string;
  /** Estimated memory it holds (weight-footprint.ts), counted against the budget. */
  readonly bytes: number;
  /** Opened with compact weights. */
  readonly compact: boolean;
  /** Released when another stage of a picture starts (PipelineStage). */
  readonly releasedOnStageChange: boolean;
}

/**
 * The parts of a picture's work that run one after another: prompt encoding, denoising (UNet with its ControlNets and
 * adapters), VAE. Compact sessions of one stage are released when another stage starts, so the stages' memory never
 * adds up: they reopen quickly (the weights stay mapped from the file, nothing is folded). When everything is compact
 * (Compact, or Automatic below 16 GB), the small expanded graphs go too: they fold in a blink, and their arena keeps
 * what their last run needed. Measured on the full-size SD1.5 at 512²: the compact UNet holds 2.4 GB while stepping
 * and reopens in 2.6 s; the VAE decoder holds 1.8 GB after a decode and reopens in 0.6 s. Other expanded sessions stay
 * open across stages and jobs: reopening one refolds its weights (15 s for a UNet).
 */
export type PipelineStage = 'text' | 'denoise' | 'vae';

export interface SessionPoolOptions {
  /** Total estimated bytes of open sessions before least recently used ones are released. */
  readonly memoryBudgetBytes: number;
  /** Providers to try before CPU; default: Automatic (the accelerated ones this platform offers, best first). */
  readonly preferredProviders?: readonly string[];
  /** Where providers are looked for (tests); default this process's onnxruntime-node. */
  readonly providerHost?: ProviderHost;
  readonly intraOpNumThreads?: number;
  /** Open sessions with compact weights (session.ts): less memory, slower steps on CPU. */
  readonly compactWeights?: boolean;
  /** Stored weight bytes from which compact applies (default COMPACT_FROM_BYTES). */
  readonly compactFromBytes?: number;
  readonly log?: (line: string) => void;
  /** Called as a session starts opening (seconds to minutes for a full-size UNet), so a job can say what it waits for. */
  readonly onOpening?: (modelPath: string) => void;
}

/** What may change while the pool lives (the Settings page); call between jobs, as sessions may be released. */
export interface SessionPoolSettings extends Partial<Pick<SessionPoolOptions, 'memoryBudgetBytes' | 'compactWeights' | 'compactFromBytes'>> {
  /** 'auto': back to what this platform and build offer. */
  readonly preferredProviders?: readonly string[] | 'auto';
}

/**
 * Compact weights pay off for large weight sets only (UNet 1.7 GB, text encoder 0.25 GB in fp16): the VAE decoder
 * (0.1 GB) runs faster expanded (512² decode 13 s vs 15.7 s on CPU), so graphs below this open expanded in either
 * mode. A whole fp16 SD1.5 txt2img, measured in the full bench: 256², two pictures, compact 2.6 GB peak against fast
 * 7.1 GB; 512², compact 2.5 GB.
 */
const COMPACT_FROM_BYTES = 128 * 2 ** 20;

export class SessionPool {
  private options: SessionPoolOptions;
  private readonly sessions = new Map<string, Promise<PooledSession>>();
  private readonly stages = new Map<string, PipelineStage>();
  private readonly providerState = new Map<string, ProviderStatus>();
  private candidates: string[];
  /** The candidates are Automatic's, not the user's choice: those that cannot work here are skipped quietly. */
  private isAutomatic: boolean;
  private providerHost: ProviderHost | undefined;

  constructor(options: SessionPoolOptions) {
    this.options = options;
    this.candidates = [...(options.preferredProviders ?? automaticProviders())];
    this.isAutomatic = options.preferredProviders === undefined;
  }

  /**
   * Applies changed settings: a new budget releases sessions beyond it; another weight mode or provider list
   * releases every session, so the next job opens them the new way.
   */
  async configure(settings: SessionPoolSettings): Promise<void> {
    const { preferredProviders, ...rest } = settings;
    const candidates = preferredProviders === 'auto' ? automaticProviders() : preferredProviders;
    const reopen =
      (settings.compactWeights !== undefined && settings.compactWeights !== (this.options.compactWeights ?? false)) ||
      (settings.compactFromBytes !== undefined && settings.compactFromBytes !== this.options.compactFromBytes) ||
      (candidates !== undefined && candidates.join() !== this.candidates.join());
    this.options = { ...this.options, ...rest };
    if (preferredProviders !== undefined) this.isAutomatic = preferredProviders === 'auto';
    if (candidates !== undefined && reopen) {
      this.candidates = [...candidates];
      this.providerState.clear();
    }
    if (reopen) await this.releaseAll();
    else await this.enforceBudget(undefined);
  }

  /** Every provider tried so far and CPU, with reasons for those not in use. */
  providers(): ProviderStatus[] {
    return [...this.providerState.values(), { provider: 'cpu', available: true }];
  }

  /**
   * The open (or opening) session for a model, created on first use; marks it most recently used. Given a stage,
   * the other stages' sessions that go between stages are released first (PipelineStage).
   */
  async get(modelPath: string, stage?: PipelineStage): Promise<PooledSession> {
    const key = path.resolve(modelPath);
    if (stage !== undefined) {
      this.stages.set(key, stage);
      await this.releaseOtherStages(stage);
    }
    const existing = this.sessions.get(key);
    if (existing) {
      this.sessions.delete(key);
      this.sessions.set(key, existing);
      return existing;
    }
    const opening = this.open(key);
    this.sessions.set(key, opening);
    try {
      const pooled = await opening;
      await this.enforceBudget(key);
      return pooled;
    } catch (error) {
      this.sessions.delete(key);
      throw error;
    }
  }

  /** Estimated bytes of the open sessions. */
  async usedBytes(): Promise<number> {
    let total = 0;
    for (const s of this.sessions.values()) total += (await s.catch(() => undefined))?.bytes ?? 0;
    return total;
  }

  async release(modelPath: string): Promise<void> {
    const key = path.resolve(modelPath);
    const entry = this.sessions.get(key);
    this.sessions.delete(key);
    this.stages.delete(key);
    const pooled = await entry?.catch(() => undefined);
    await pooled?.session.release();
  }

  async releaseAll(): Promise<void> {
    for (const key of [...this.sessions.keys()]) await this.release(key);
  }

  /** Paths of the open sessions, least recently used first. */
  openPaths(): string[] {
    return [...this.sessions.keys()];
  }

  private async open(modelPath: string): Promise<PooledSession> {
    const footprint = await weightFootprint(modelPath).catch((cause: unknown) => {
      throw new StudioError('generate.model-missing', {
        userMessage: `The compiled model ${modelPath} is missing or unreadable.`,
        hint: 'Compile the checkpoint again (the compiled cache may have been deleted).',
        cause,
      });
    });
    const compact = (this.options.compactWeights ?? false) && footprint.storedBytes >= (this.options.compactFromBytes ?? COMPACT_FROM_BYTES);
    const everythingCompact = (this.options.compactWeights ?? false) && this.options.compactFromBytes === undefined;
    const releasedOnStageChange = compact || (everythingCompact && footprint.storedBytes < COMPACT_FROM_BYTES);
    const bytes = compact ? footprint.storedBytes : footprint.expandedBytes;
    this.options.onOpening?.(modelPath);
    const sessionOptions: OpenSessionOptions = {
      ...(this.options.intraOpNumThreads ? { intraOpNumThreads: this.options.intraOpNumThreads } : {}),
      ...(compact ? { compactWeights: true } : {}),
    };
    for (const provider of this.candidates) {
      if (this.providerState.get(provider)?.available === false) continue;
      const spec = providerSpec(provider);
      const unusable = spec ? await providerUnusableBecause(spec, this.host()) : `${provider} is not an execution provider the studio knows`;
      if (!spec || unusable) {
        // Under Automatic, not installed is the normal case on CPU-only machines: recorded for Settings, not logged.
        this.providerState.set(provider, { provider, available: false, reason: unusable });
        if (!this.isAutomatic) this.options.log?.(`execution provider ${provider} cannot run here, falling back: ${unusable}`);
        continue;
      }
      try {
        const session = await openSession(modelPath, { ...sessionOptions, executionProviders: [spec.config], ...(spec.sessionOptions ? { providerSessionOptions: spec.sessionOptions } : {}) });
        this.providerState.set(provider, { provider, available: true });
        return { session, provider, bytes, compact, releasedOnStageChange };
      } catch (error) {
        const cause = (error as Error & { cause?: Error }).cause ?? error;
        const reason = String((cause as Error).message ?? cause).split('\n')[0]!.slice(0, 300);
        this.providerState.set(provider, { provider, available: false, reason });
        this.options.log?.(`execution provider ${provider} could not open ${path.basename(modelPath)}, falling back: ${reason}`);
      }
    }
    const session = await openSession(modelPath, { ...sessionOptions, executionProviders: ['cpu'] });
    return { session, provider: 'cpu', bytes, compact, releasedOnStageChange };
  }

  private host(): ProviderHost {
    this.providerHost ??= this.options.providerHost ?? currentProviderHost();
    return this.providerHost;
  }

  private async releaseOtherStages(stage: PipelineStage): Promise<void> {
    for (const [key, entry] of [...this.sessions]) {
      const other = this.stages.get(key);
      if (other === undefined || other === stage) continue;
      if ((await entry.catch(() => undefined))?.releasedOnStageChange) await this.release(key);
    }
  }

  private async enforceBudget(keep: string | undefined): Promise<void> {
    while ((await this.usedBytes()) > this.options.memoryBudgetBytes) {
      const oldest = [...this.sessions.keys()].find((k) => k !== keep);
      if (oldest === undefined) return;
      this.options.log?.(`releasing ${oldest} to stay under the session memory budget`);
      await this.release(oldest);
    }
  }
}
