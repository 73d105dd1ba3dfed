/** The few things that differ between Node, Deno, Bun and browsers. */

/** An environment variable, when the runtime has a `process.env` (Node, Bun, Deno's shim). */
export function readEnv(name: string): string | undefined {
  const runtime = globalThis as { process?: { env?: Record<string, string | undefined> } };
  const value = runtime.process?.env?.[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** True where the runtime lets a request set `User-Agent` (not in browsers). */
export function isServerRuntime(): boolean {
  const runtime = globalThis as { process?: { versions?: { node?: string } }; window?: unknown };
  return runtime.window === undefined && typeof runtime.process?.versions?.node === "string";
}

let webCrypto: Promise<Crypto> | undefined;

/**
 * Web Crypto: the global one (browsers, Node ≥ 19, Deno, Bun), else Node 18's `webcrypto`,
 * which that version keeps off the global object.
 */
export function getWebCrypto(): Promise<Crypto> {
  webCrypto ??= (async () => {
    const global = globalThis as { crypto?: Crypto };
    if (global.crypto?.subtle) return global.crypto;
    // A computed specifier keeps browser bundlers from trying to resolve a Node module.
    const specifier = "node:crypto";
    const nodeCrypto = (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as {
      webcrypto?: Crypto;
    };
    if (!nodeCrypto.webcrypto?.subtle) throw new Error("Web Crypto is not available in this runtime");
    return nodeCrypto.webcrypto;
  })();
  return webCrypto;
}

/** A random token for an `Idempotency-Key`: 128 bits from Web Crypto, hex-encoded. */
export async function randomToken(): Promise<string> {
  const bytes = (await getWebCrypto()).getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener("abort", aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener("abort", aborted, { once: true });
  });
}
