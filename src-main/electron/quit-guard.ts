// Quitting while a job runs: ask first; if the user quits anyway, record the running jobs as interrupted
// (not failed, not lost) before the process ends. Electron-free: main.ts feeds it `before-quit` events.

export interface QuitGuardOptions {
  /** How many jobs are running right now (queued ones just wait for the next start). */
  activeJobCount: () => number;
  /** Asks the user; resolves true to quit anyway. */
  confirmQuit: (activeJobCount: number) => Promise<boolean>;
  /** Stops the engine's work and records the active jobs as interrupted. Must not throw for a dead engine. */
  interruptActiveJobs: () => Promise<void>;
  /** Starts the quit again once the jobs are recorded (app.quit). */
  quit: () => void;
  /** Logs a failure of the dialog or of recording the jobs. */
  onError: (error: unknown) => void;
}

/** The part of Electron's `before-quit` event the guard uses. */
export interface QuitEvent {
  preventDefault(): void;
}

export interface QuitGuard {
  /** Handler for app `before-quit`. */
  onBeforeQuit(event: QuitEvent): void;
}

export function createQuitGuard(options: QuitGuardOptions): QuitGuard {
  let state: 'idle' | 'asking' | 'stopping' | 'may-quit' = 'idle';
  return {
    onBeforeQuit(event) {
      if (state === 'may-quit') return;
      if (state !== 'idle') {
        event.preventDefault(); // a second Ctrl+Q while the dialog is open or jobs are being recorded
        return;
      }
      const count = options.activeJobCount();
      if (count === 0) return;
      event.preventDefault();
      state = 'asking';
      void (async () => {
        const quitAnyway = await options.confirmQuit(count).catch((error: unknown) => {
          options.onError(error);
          return false;
        });
        if (!quitAnyway) {
          state = 'idle';
          return;
        }
        state = 'stopping';
        // A user who chose to quit gets to quit, even if recording the jobs failed: the library's startup
        // sweep marks jobs left `running` as interrupted anyway.
        await options.interruptActiveJobs().catch(options.onError);
        state = 'may-quit';
        options.quit();
      })();
    },
  };
}

/** The dialog's wording, kept beside the guard so it is reviewed with it. */
export function quitConfirmation(activeJobCount: number): { message: string; detail: string; buttons: [string, string] } {
  const jobs = activeJobCount === 1 ? 'A generation is' : `${activeJobCount} generations are`;
  return {
    message: `${jobs} still running.`,
    detail: 'If you quit now, it stops and stays in the queue as interrupted; you can run it again later. Waiting jobs stay queued.',
    buttons: ['Keep Working', 'Quit Anyway'],
  };
}
