// node:test reporter that writes only the final counts as JSON, so test/run-all.ts can sum runners.
interface TestEvent {
  type: string;
  data: { details?: { type?: string }; skip?: unknown; todo?: unknown };
}

export default async function* countReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for await (const event of source) {
    if (event.data.details?.type === 'suite') continue;
    if (event.type === 'test:pass') {
      if (event.data.skip !== undefined || event.data.todo !== undefined) counts.skipped += 1;
      else counts.passed += 1;
    } else if (event.type === 'test:fail') {
      counts.failed += 1;
    }
  }
  yield `${JSON.stringify(counts)}\n`;
}
