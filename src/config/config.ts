/**
 * The configuration file (JSON or YAML) and `--strategy` flags. A file looks like:
 *
 * ```yaml
 * labelAttribute: content-eval      # optional; detected when absent
 * seed: 7                           # optional; random tie-breaking
 * fields:
 *   sentiment: majority-vote        # shorthand: strategy name only
 *   accuracy: { strategy: median, scale: [1, 5] }
 *   tags: { strategy: multi-label-vote, threshold: 0.3 }
 * groups:                           # optional; radio buttons with their own names that are one question
 *   preferred: [option1, option2]
 * keyPatterns:                      # optional; per-row keys consolidated one field per row (translation[3])
 *   - { pattern: "^translation(\\d+)$", field: translation }
 * preferences:                      # optional; for preference jobs
 *   dimensionNames: [Clarity, Inclusivity]
 *   choices: { preferred: { fields: [choice], options: { "Response A": 0, "Response B": 1 } } }
 *   ratings: { helpfulness: [helpfulness_1, helpfulness_2] }
 * ```
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { planFromSetting, type FieldSetting } from './field-setting.js';
import { usageErrorFrom } from './validate.js';

const fieldSetting = z.union([
  z.string().min(1).transform((strategy): FieldSetting => ({ strategy })),
  z.looseObject({ strategy: z.string().min(1) }),
], { error: 'expected a strategy name, or { strategy: <name>, <option>: <value>, … }' });

/** What the configuration file and the library's options share, checked the same way in both. */
const sharedSettings = {
  labelAttribute: z.string().min(1).optional(),
  seed: z.int().optional(),
  concurrency: z.int().positive().optional(),
  maxResponseBytes: z.int().positive().optional(),
  fields: z.record(z.string(), fieldSetting).default({}),
};

const configSchema = z.strictObject({
  ...sharedSettings,
  /** Fields that are one radio question (`preferred: [option1, option2]`); see `src/responses/field-schema.ts`. */
  groups: z.record(z.string().min(1), z.array(z.string().min(1)).min(2)).optional(),
  /** Keys matching `pattern` consolidated as one field per row: `{pattern: "^translation(\\d+)$", field: translation}`. */
  keyPatterns: z.array(z.strictObject({ pattern: z.string().min(1), field: z.string().min(1) })).optional(),
  /** How preference answers map onto responses (see `src/responses/preferences.ts`). */
  preferences: z.strictObject({
    dimensionNames: z.array(z.string().min(1)).optional(),
    choices: z.record(z.string(), z.strictObject({
      fields: z.array(z.string().min(1)).min(1),
      options: z.record(z.string(), z.int().min(0)),
    })).optional(),
    ratings: z.record(z.string(), z.array(z.string().min(1)).min(2)).optional(),
  }).optional(),
});

export type Config = z.infer<typeof configSchema>;

/**
 * The library's options, checked before a run starts (TypeScript does not stop `workers: 1.5` or a string as `mirrors`
 * from JavaScript or JSON): the settings the configuration file has, by the same rules, and the rest. Unknown keys
 * pass, so a caller's extra options (an export's) are checked by their own schema.
 */
const optionsSchema = z.looseObject({
  ...sharedSettings,
  manifest: z.string().min(1),
  out: z.string().min(1).optional(),
  rejects: z.string().min(1).optional(),
  summary: z.string().min(1).optional(),
  workersReport: z.string().min(1).optional(),
  review: z.string().min(1).optional(),
  reviewShare: z.number().min(0).max(1).optional(),
  reviewBelow: z.number().min(0).max(1).optional(),
  mirrors: z.array(z.string().min(1)).optional(),
  allowRefPrefixes: z.array(z.string().min(1)).optional(),
  workers: z.int().min(0).optional(),
  gold: z.string().min(1).optional(),
});

/** The options with the configuration file's shorthands expanded (`fields: {x: "majority-vote"}`); a bad one is a `UsageError`. */
export function checkOptions<Options extends { fields?: Readonly<Record<string, FieldSetting | string>> }>(options: Options): Options & { fields: Record<string, FieldSetting> } {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw usageErrorFrom(parsed.error, ['options']);
  return { ...options, fields: parsed.data.fields };
}

/** Field settings alone, as `checkOptions` takes them (shorthands expanded); a bad one is a `UsageError`. */
export function checkFieldSettings(fields: unknown): Record<string, FieldSetting> {
  const parsed = sharedSettings.fields.safeParse(fields);
  if (!parsed.success) throw usageErrorFrom(parsed.error, ['fields']);
  return parsed.data;
}

/** Reads and validates a configuration file; `readText` fetches it (default: the local file system). */
export async function loadConfig(file: string, readText: (file: string) => Promise<string> = (f) => readFile(f, 'utf8')): Promise<Config> {
  let text: string;
  try {
    text = await readText(file);
  } catch (error) {
    throw new UsageError(`--config ${file}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both.
    raw = parseYaml(text);
  } catch (error) {
    throw new UsageError(`${file}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new UsageError(`${file}: ${usageErrorFrom(parsed.error, [], Object.keys(configSchema.shape)).message}`);
  for (const [field, setting] of Object.entries(parsed.data.fields)) {
    try {
      planFromSetting(field, setting);
    } catch (error) {
      throw new UsageError(`${file}: ${(error as Error).message}`);
    }
  }
  return parsed.data;
}

/** `--strategy accuracy=trimmed-mean,proportion=0.25` → `["accuracy", {strategy, proportion: 0.25}]`. */
export function parseStrategyFlag(flag: string): [string, FieldSetting] {
  const match = /^([^=]+)=([^,]+)((?:,[^=,]+=[^,]*)*)$/.exec(flag);
  if (!match) throw new UsageError(`--strategy "${flag}": expected field=strategy[,option=value…]`);
  const options = match[3]!.split(',').filter(Boolean).map((pair) => {
    const [key, value] = pair.split('=') as [string, string];
    // Option values are scalars: `0.25` is a number, `none` a string, `true` a boolean.
    return [key, parseYaml(value) as unknown] as const;
  });
  return [match[1]!, { ...Object.fromEntries(options), strategy: match[2]! }];
}
