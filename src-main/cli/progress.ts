// A one-line progress bar for long CLI work; plain percentage lines when stderr is not a terminal.

export interface ProgressBar {
  update(done: number, total: number, note?: string): void;
  finish(note?: string): void;
}

export function progressBar(label: string, stream: NodeJS.WritableStream & { isTTY?: boolean }): ProgressBar {
  const width = 30;
  let lastPercent = -1;
  const started = Date.now();
  return {
    update(done, total, note = '') {
      const fraction = total > 0 ? Math.min(1, done / total) : 0;
      const percent = Math.floor(fraction * 100);
      if (stream.isTTY) {
        const filled = Math.round(fraction * width);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${note}`.padEnd(100));
      } else if (percent >= lastPercent + 10 || (percent === 100 && lastPercent !== 100)) {
        stream.write(`${label} ${percent}% ${note}\n`);
      }
      lastPercent = Math.max(lastPercent, percent);
    },
    finish(note = '') {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (stream.isTTY) stream.write('\r'.padEnd(101) + '\r');
      stream.write(`${label} done in ${seconds} s ${note}\n`);
    },
  };
}
