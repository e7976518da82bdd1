// This process's peak resident memory. On Linux from /proc/self/status VmHWM: getrusage's maxRSS survives fork and
// exec, so a child started by a process holding 6 GB would report at least 6 GB whatever it used itself.
import { readFileSync } from 'node:fs';

export function peakRssBytes(): number {
  if (process.platform === 'linux') {
    const match = /^VmHWM:\s+(\d+)\s+kB$/mu.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  }
  // resourceUsage().maxRSS is in kilobytes.
  return process.resourceUsage().maxRSS * 1024;
}
