// One studio process per library: two (say the window and a host) would both run the queue and each would mark the
// other's running jobs as interrupted when it starts. A lock file holds the owner's process id; a lock left by a
// process that no longer runs (a crash, a SIGKILL) is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StudioError } from '../base/errors.ts';

export const LOCK_FILE_NAME = 'library.lock';

interface LockOwner {
  pid: number;
  hostname: string;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.hostname === 'string' ? { pid: owner.pid, hostname: owner.hostname } : undefined;
  } catch {
    return undefined; // missing, or half-written by a process killed mid-write: nobody holds it
  }
}

/** Takes the library's lock for this process; returns the release function. */
export function lockLibrary(folder: string): () => void {
  const file = path.join(folder, LOCK_FILE_NAME);
  const me: LockOwner = { pid: process.pid, hostname: os.hostname() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return () => {
        if (readOwner(file)?.pid === me.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(file);
    // Another machine (a library on a shared drive) cannot be checked: trust its lock.
    const isHeldElsewhere = owner !== undefined && owner.pid !== me.pid && (owner.hostname !== me.hostname || isRunning(owner.pid));
    if (isHeldElsewhere) {
      throw new StudioError('library.busy', {
        userMessage: `The library ${folder} is already open in another FaceID Studio (process ${owner.pid} on ${owner.hostname}).`,
        hint: 'Use that window or host, or close it first. To run a second studio, give it its own library with FACEID_STUDIO_HOME.',
      });
    }
    rmSync(file, { force: true }); // stale: its owner is gone (or it is our own from an earlier open)
  }
  throw new StudioError('library.busy', { userMessage: `The library lock ${file} keeps changing; another studio is starting on the same folder.`, hint: 'Start one studio at a time.' });
}
