/**
 * The ledger of incremental runs (`--state`): what the last run prepared and decided for each object, so a scheduled
 * run over a job that grew (a streaming job's output, a job re-run for some objects) fetches only the worker responses
 * of new or changed objects. An object is known by its id: the value of the key a streaming job's
 * `dataset-objectid-attribute-name` names, else its worker-response ref; it is unchanged when its manifest line is
 * (compared by a hash of the parsed line, which holds the ref). Unchanged objects are replayed from the ledger, the rest
 * fetched; then the run fits and decides over all of them as any run does, so the full manifest is that of a run from
 * scratch, and model strategies refit on every answer. Objects whose decided label differs from the last run's while
 * their line did not are reported as flips; the new part holds the new or changed objects and the flipped ones.
 *
 * The ledger is one JSON Lines file, written as an output of the run (published with the others, or not at all, so a
 * failed run leaves the last one in place): a header, one entry per object with its prepared line, then the decisions
 * in batches. A response rewritten in place under the same ref is not noticed: start without the ledger to refetch all.
 * Read back, the ledger is untrusted: size-limited, and every entry shape-checked before the first line.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { RejectError, UsageError } from '../errors.js';
import type { JobIO } from '../io/job-io.js';
import { readLines, type Line } from '../io/lines.js';
import type { OutputWriter } from '../io/storage.js';
import { classifyLine } from '../manifest/record.js';
import { parseUntrustedJson } from '../responses/safe-json.js';
import type { DecidedObject } from './decide.js';
import { checkPrepared, encodePrepared } from './prepared-codec.js';
import type { Prepared, PreparedObject } from './prepare.js';

/** Larger ledgers are refused: it is read whole, and every entry is kept until the run ends. */
const maxLedgerBytes = 512 * 1024 * 1024;
const decisionsPerLine = 10_000;
/** Flipped objects named in the summary; the new part holds all of them. */
const flipsNamed = 100;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const header = z.strictObject({ gtConsolidateLedger: z.literal(1), fingerprint: z.string() });
const entry = z.strictObject({ object: z.string(), lineSha256: sha256, prepared: z.unknown() });
const decisions = z.strictObject({ decided: z.array(z.tuple([z.string(), sha256])) });

/** What an incremental run did, for the summary. */
export interface IncrementalCounts {
  state: string;
  /** The new part: the new or changed objects, and the flipped ones. */
  part: string;
  /** Objects in the ledger the run started from. */
  known: number;
  /** Objects replayed from the ledger, not fetched. */
  fromLedger: number;
  /** Objects whose worker response was fetched (new, changed, or not replayable). */
  fetched: number;
  /** Objects written to the new part. */
  inPart: number;
  /** Unchanged objects whose decided label differs from the last run's (a refitted model decided otherwise). */
  flips: number;
  /** The first of them, by object id and line. */
  flipped: { object: string; line: number }[];
}

interface Known {
  lineSha256: string;
  /** The entry's line as read, parsed again when it is replayed. */
  text?: string;
  labelsSha256?: string;
}

export class Ledger {
  private writer?: OutputWriter;
  private part?: OutputWriter;
  private decided: [string, string][] = [];
  private objects = 0;
  private readonly counts: IncrementalCounts;

  private constructor(
    private readonly known: Map<string, Known>,
    /** Replays are off when the ledger was written under other settings; flips are still found. */
    private readonly replayable: boolean,
    private readonly settings: { fingerprint: string; labelAttribute?: string },
    locations: { state: string; part: string },
  ) {
    this.counts = { ...locations, known: known.size, fromLedger: 0, fetched: 0, inPart: 0, flips: 0, flipped: [] };
  }

  /** The ledger at `state` (none there: the first run, which fetches everything). */
  static async load(
    io: JobIO, locations: { state: string; part: string }, settings: { fingerprint: string; labelAttribute?: string; log: (message: string) => void },
  ): Promise<Ledger> {
    let bytes: Buffer;
    try {
      bytes = await io.storageFor(locations.state).readAll(locations.state, maxLedgerBytes);
    } catch (error) {
      if (error instanceof RejectError && error.code === 'response-missing') {
        settings.log(`no ledger at ${locations.state} yet: every object is fetched`);
        return new Ledger(new Map(), true, settings, locations);
      }
      throw new UsageError(`cannot read the ledger ${locations.state}: ${(error as Error).message}`, { cause: error });
    }
    const { known, fingerprint } = await parseLedger(bytes, locations.state);
    const replayable = fingerprint === settings.fingerprint;
    if (!replayable) settings.log(`the ledger at ${locations.state} was written with another label attribute, preferences or response limit: every object is fetched again`);
    return new Ledger(known, replayable, settings, locations);
  }

  /** Opens the new ledger and the new part as outputs of the run. */
  async open(open: (location: string) => Promise<OutputWriter>): Promise<void> {
    this.writer = await open(this.counts.state);
    this.part = await open(this.counts.part);
    await this.writer.write(JSON.stringify({ gtConsolidateLedger: 1, fingerprint: this.settings.fingerprint }) + '\n');
  }

  /** The line as the last run prepared it, when its object is in the ledger unchanged; else `undefined` (fetch it). */
  replay(line: Line): Prepared | undefined {
    if (!this.replayable || line.problem) return undefined;
    let record;
    try {
      record = classifyLine(line.text, this.settings.labelAttribute);
    } catch {
      return undefined; // preparing it rejects it, with the reason
    }
    if (record.type !== 'object') return undefined;
    const known = this.known.get(objectIdOf(record.json, record.labelAttribute));
    if (known?.text === undefined || known.lineSha256 !== lineSha256(record.json)) return undefined;
    const { prepared } = JSON.parse(known.text) as { prepared: unknown };
    this.counts.fromLedger += 1;
    return { ...checkPrepared(prepared, `ledger entry of line ${line.number}`), line: line.number };
  }

  /** The prepared lines, each object entered in the new ledger on the way. */
  async *record(lines: AsyncIterable<Prepared>): AsyncGenerator<Prepared> {
    for await (const line of lines) {
      if (line.type === 'object') {
        this.objects += 1;
        await this.writer!.write(`{"object":${JSON.stringify(objectIdOf(line.json, line.labelAttribute))},"lineSha256":"${lineSha256(line.json)}","prepared":${encodePrepared(line)}}\n`);
      }
      yield line;
    }
  }

  /** Hears each decided object: its decision goes to the ledger; new, changed and flipped objects to the new part. */
  readonly decide = async (object: DecidedObject): Promise<void> => {
    const id = objectIdOf(object.json, object.labelAttribute);
    const labels = sha256Of(JSON.stringify(object.consolidated[object.labelAttribute] ?? null));
    const before = this.known.get(id);
    const unchanged = before?.lineSha256 === lineSha256(object.json);
    const flipped = unchanged && before.labelsSha256 !== undefined && before.labelsSha256 !== labels;
    if (flipped) {
      this.counts.flips += 1;
      if (this.counts.flipped.length < flipsNamed) this.counts.flipped.push({ object: id, line: object.line });
    }
    if (!unchanged || flipped) {
      this.counts.inPart += 1;
      await this.part!.write(JSON.stringify(object.consolidated) + '\n');
    }
    this.decided.push([id, labels]);
    if (this.decided.length >= decisionsPerLine) await this.writeDecisions();
  };

  /** The last decisions written; what the run did, for the summary. */
  async finish(): Promise<IncrementalCounts> {
    await this.writeDecisions();
    this.counts.fetched = this.objects - this.counts.fromLedger;
    return this.counts;
  }

  private async writeDecisions(): Promise<void> {
    if (this.decided.length === 0) return;
    await this.writer!.write(JSON.stringify({ decided: this.decided }) + '\n');
    this.decided = [];
  }
}

/** `id:<value>` of a streaming job's object-id key, else `ref:<worker-response-ref>`. */
export function objectIdOf(json: Record<string, unknown>, labelAttribute: string): string {
  const key = json['dataset-objectid-attribute-name'];
  const id = typeof key === 'string' && Object.hasOwn(json, key) ? json[key] : undefined;
  if (typeof id === 'string' || typeof id === 'number') return `id:${id}`;
  const metadata = json[`${labelAttribute}-metadata`] as Record<string, unknown>;
  return `ref:${String(metadata['worker-response-ref'])}`;
}

const sha256Of = (text: string): string => createHash('sha256').update(text).digest('hex');
const lineSha256 = (json: PreparedObject['json']): string => sha256Of(JSON.stringify(json));

async function parseLedger(bytes: Buffer, location: string): Promise<{ known: Map<string, Known>; fingerprint: string }> {
  const known = new Map<string, Known>();
  let fingerprint: string | undefined;
  const damaged = (number: number, why: string) =>
    new UsageError(`the ledger ${location} is damaged at line ${number} (${why}): delete it to rebuild it from scratch`);
  for await (const { number, text, problem } of readLines(Readable.from([bytes]))) {
    if (problem) throw damaged(number, problem.reason);
    let value: unknown;
    try {
      value = parseUntrustedJson(text, `ledger line ${number}`);
    } catch (error) {
      throw damaged(number, (error as Error).message);
    }
    if (fingerprint === undefined) {
      const checked = header.safeParse(value);
      if (!checked.success) throw damaged(number, 'not a gt-consolidate ledger header');
      fingerprint = checked.data.fingerprint;
      continue;
    }
    const asEntry = entry.safeParse(value);
    if (asEntry.success) {
      try {
        if (checkPrepared(asEntry.data.prepared, `ledger line ${number}`).type !== 'object') throw new Error('not an object');
      } catch (error) {
        throw damaged(number, (error as Error).message);
      }
      known.set(asEntry.data.object, { lineSha256: asEntry.data.lineSha256, text });
      continue;
    }
    const asDecisions = decisions.safeParse(value);
    if (!asDecisions.success) throw damaged(number, 'neither an object entry nor decisions');
    for (const [id, labelsSha256] of asDecisions.data.decided) {
      const object = known.get(id);
      if (object) object.labelsSha256 = labelsSha256;
    }
  }
  if (fingerprint === undefined) throw damaged(1, 'empty');
  return { known, fingerprint };
}
