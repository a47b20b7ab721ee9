/** Why a manifest line was rejected; written with its line number to the rejects file and counted in the summary. */
export type RejectCode =
  | 'invalid-json'
  | 'invalid-utf8'
  | 'line-too-long'
  | 'too-deep'
  | 'unsafe-number'
  | 'not-an-object'
  | 'no-label-metadata'
  | 'invalid-ref'
  | 'ref-not-allowed'
  | 'response-missing'
  | 'response-too-large'
  | 'response-unreadable'
  | 'invalid-response'
  | 'hostile-key'
  /** A failure of the tool itself on this line (a bug): the line is kept in the rejects, the run goes on, the summary shows it. */
  | 'internal-error';

/** A problem with one line's data: the line is rejected and the run goes on. */
export class RejectError extends Error {
  constructor(readonly code: RejectCode, message: string) {
    super(message);
    this.name = 'RejectError';
  }
}

/** A problem with how the tool was called (flags, configuration): exit code 2, nothing processed. */
export class UsageError extends Error {
  override name = 'UsageError';
}
