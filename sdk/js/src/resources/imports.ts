import type { RequestOptions } from "../core.js";
import { TimeoutError } from "../errors.js";
import { sleep } from "../runtime.js";
import type { Import } from "../types.js";
import { Resource, segment } from "./base.js";

/** How `imports.wait` polls. */
export interface ImportWaitOptions {
  /** Milliseconds between two reads of the import (default 300). */
  intervalMs?: number | undefined;
  /** Milliseconds to wait in all before throwing a `TimeoutError` (default 600 000: 10 minutes). */
  timeoutMs?: number | undefined;
  /** Called with the import after each read, the last one (completed or failed) included. */
  onProgress?: ((imp: Import) => void | Promise<void>) | undefined;
}

const DEFAULT_INTERVAL_MS = 300;
const DEFAULT_WAIT_TIMEOUT_MS = 600_000;

/** True once the import has stopped: `completed` or `failed`. */
export function isFinished(imp: Import): boolean {
  return imp.status === "completed" || imp.status === "failed";
}

/** `/v1/imports`: CSV imports started with `contacts.import`, read while the server works through them. */
export class Imports extends Resource {
  /** The import as it stands: `status`, `processed` of `total`, `created`, `updated`, `skipped`, `failedRows`, `errors`. */
  async get(id: string, options?: RequestOptions): Promise<Import> {
    return (await this.http.rest<Import>("GET", `/v1/imports/${segment(id)}`, {}, options)).data;
  }

  /**
   * Reads the import every `intervalMs` until it is `completed` or `failed`, and answers it
   * then (a failed import is answered, not thrown: read its `status` and `errors`). Throws a
   * `TimeoutError` (code `TIMEOUT`) when it is still running after `timeoutMs`; `options.signal`
   * cancels the wait.
   */
  async wait(id: string, waitOptions: ImportWaitOptions = {}, options?: RequestOptions): Promise<Import> {
    const interval = nonNegative("intervalMs", waitOptions.intervalMs ?? DEFAULT_INTERVAL_MS);
    const timeout = nonNegative("timeoutMs", waitOptions.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS);
    const deadline = Date.now() + timeout;
    for (;;) {
      const imp = await this.get(id, options);
      await waitOptions.onProgress?.(imp);
      if (isFinished(imp)) return imp;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new TimeoutError({
          code: "TIMEOUT",
          message: `Import ${imp.id} is still ${imp.status} after ${timeout} ms (${imp.processed} of ${imp.total} rows)`,
          details: { importId: imp.id, status: imp.status, processed: imp.processed, total: imp.total },
        });
      }
      await sleep(Math.min(interval, left), options?.signal);
    }
  }
}

function nonNegative(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${name} must be a finite number ≥ 0`);
  }
  return value;
}
