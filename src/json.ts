/** A JSON object (not an array, not null): what untrusted JSON must be before its keys are read. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
