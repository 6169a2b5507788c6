/** An archive (or one of its members) that cannot be read: damaged, truncated, encrypted, an
 * unsupported method. Its siblings are still scanned. */
export class ArchiveError extends Error {}

/** An archive not opened on purpose: a zip bomb's construction, or a budget it would exceed. */
export class ArchiveRefused extends Error {}

/** A budget of the whole scanned file (or blob) is spent: nothing more of it is opened. `at` is
 * where it ran out (`!lib/a.jar!b.zip`). */
export class BudgetExceeded extends ArchiveRefused {
  constructor(
    readonly at: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a decompressor threw, as an ArchiveError when it is about the data (fflate errors carry a
 * numeric code, zlib's a Z_* one); our own errors (a budget spent while the callback scanned)
 * pass unchanged, anything else is a bug and passes too.
 */
export function asArchiveError(e: unknown): unknown {
  if (e instanceof ArchiveError || e instanceof ArchiveRefused || !(e instanceof Error)) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'number' || (typeof code === 'string' && code.startsWith('Z_'))) return new ArchiveError(`damaged compressed data (${e.message})`);
  return e;
}
