import type { HttpClient } from "../core.js";

/** A group of endpoints sharing the client's connection settings. */
export abstract class Resource {
  constructor(protected readonly http: HttpClient) {}
}

/** An id as one path segment. */
export function segment(id: string): string {
  if (typeof id !== "string" || id === "") throw new TypeError("An id must be a non-empty string");
  return encodeURIComponent(id);
}

/** Drains an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
