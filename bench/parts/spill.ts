/**
 * The spill of a two-pass run on its own: `objects` prepared lines of the synthetic job (responses from memory) written,
 * then read twice (fit, decide), `rounds` times; microseconds per object, median and range.
 */
import { prepareLine, type Prepared } from '../../src/pipeline/prepare.js';
import { Spill } from '../../src/pipeline/spill.js';
import { type Bench, spread } from '../measure.js';
import { manifestLine, workerResponse } from '../synthetic-job.js';

export async function spillPart({ objects, rounds, report, table, say }: Bench): Promise<void> {
  say(`spill: ${objects} prepared objects written and read twice, ${rounds} rounds …`);
  const prepared: Prepared[] = [];
  for (let index = 0; index < objects; index += 1) {
    prepared.push(await prepareLine({ number: index + 1, text: manifestLine(index) }, {
      maxResponseBytes: Infinity, readResponse: async () => Buffer.from(workerResponse(index)),
    }));
  }
  const perObject: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const start = performance.now();
    const spill = await Spill.create();
    try {
      for (const line of prepared) await spill.write(line);
      for (let pass = 0; pass < 2; pass += 1) for await (const _ of spill.read());
    } finally {
      await spill.remove();
    }
    perObject.push(((performance.now() - start) * 1000) / objects);
  }
  const { median: medianUs, min: minUs, max: maxUs } = spread(perObject, 1);
  report.spill = { medianUs, minUs, maxUs };
  table[`spill: write + 2 reads, ${objects} objects (µs/object)`] = { medianUs, minUs, maxUs };
}
