// Shared test harness: real `fluenzr serve` processes on temporary SQLite databases, a
// scriptable HTTP proxy in front of them, and a webhook receiver.
import { spawn, execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The server binary test.sh passes in. */
export function binary() {
  const bin = process.env.FLUENZR_BIN;
  if (!bin) throw new Error("FLUENZR_BIN is not set: run the suite through sdk/js/test.sh");
  return bin;
}

const started = new Set();
// Whatever happens to a test, no server outlives the test process.
process.on("exit", () => {
  for (const child of started) child.kill("SIGKILL");
});

/**
 * Starts `fluenzr serve` on a fresh temporary database and a free port, with a Pro workspace
 * made by `fluenzr workspace create`. Stop it with `server.stop()`.
 */
export async function startServer({ rateLimit, env = {} } = {}) {
  const dir = await mkdtemp(join(tmpdir(), "fluenzr-sdk-"));
  const databaseUrl = `sqlite://${join(dir, "fz.db")}?mode=rwc`;
  const baseEnv = { ...process.env, DATABASE_URL: databaseUrl, RUST_LOG: process.env.TEST_LOG ? "info" : "warn" };
  const { workspaceId, apiKey } = await createWorkspace(databaseUrl, "SDK tests", "pro");

  const child = spawn(binary(), ["serve"], {
    env: {
      ...baseEnv,
      FLUENZR_ADDR: "127.0.0.1:0",
      FLUENZR_ALLOW_PRIVATE_HOSTS: "true",
      FLUENZR_API_KEY_CACHE_SECS: "0",
      ...(rateLimit ? { FLUENZR_RATE_LIMIT: String(rateLimit) } : {}),
      ...env,
    },
    stdio: ["ignore", "pipe", process.env.TEST_LOG ? "inherit" : "ignore"],
  });
  started.add(child);
  const baseUrl = await new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`fluenzr serve did not start:\n${output}`)), 15_000);
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`fluenzr serve exited (${code}):\n${output}`));
    });
  });
  // Keep draining stdout so the server never blocks on a full pipe.
  child.stdout.resume();

  return {
    baseUrl,
    apiKey,
    workspaceId,
    databaseUrl,
    /** Another workspace on the same database (e.g. on a plan without API access). */
    createWorkspace: (name, plan) => createWorkspace(databaseUrl, name, plan),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        // A graceful drain takes seconds; the database is thrown away, so do not wait long.
        child.kill("SIGTERM");
        await Promise.race([exited, delay(500)]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      started.delete(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function createWorkspace(databaseUrl, name, plan) {
  const { stdout } = await run(binary(), ["workspace", "create", "--name", name, "--plan", plan], {
    env: { ...process.env, DATABASE_URL: databaseUrl, RUST_LOG: "warn" },
  });
  return JSON.parse(stdout);
}

export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a truthy value (or throws after `timeout` ms). */
export async function waitFor(check, { timeout = 10_000, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function listen(server) {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

function close(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * An HTTP proxy to `target` that records every request and lets a test decide, per request,
 * what the client gets. `plan(request, index)` answers one of:
 *   "forward"                     pass the request and the answer through (the default)
 *   "forward-then-drop"           pass the request on, then cut the client's connection
 *                                 without an answer: the server did the work, the client never hears
 *   { forwardThenStatus, body }   pass the request on, then answer the client this status instead
 *   { status, headers, body }     answer this without reaching the server
 *   { delayMs }                   wait, then forward
 * `rewrite(text)` may change the path, the Authorization header and the body on the way.
 */
export async function startProxy(target, { plan = () => "forward", rewrite = (text) => text } = {}) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const record = {
      method: req.method,
      path: req.url,
      headers: req.headers,
      body: body.toString("utf8"),
    };
    const index = requests.push(record) - 1;
    const action = (await plan(record, index)) ?? "forward";

    if (typeof action === "object" && action.status) {
      res.writeHead(action.status, action.headers ?? {});
      res.end(action.body ?? "");
      return;
    }
    if (typeof action === "object" && action.delayMs) await delay(action.delayMs);

    const headers = { ...req.headers };
    delete headers.host;
    delete headers["content-length"];
    delete headers.connection;
    if (headers.authorization) headers.authorization = rewrite(headers.authorization);
    // `plan` may have changed the recorded body: forward what it holds now.
    const forwardedBody = record.body.length ? rewrite(record.body) : undefined;
    let answer;
    try {
      const response = await fetch(target + rewrite(req.url), { method: req.method, headers, body: forwardedBody });
      answer = { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
    } catch (error) {
      res.writeHead(599).end(String(error));
      return;
    }
    record.answer = { status: answer.status, body: answer.body.toString("utf8"), replayed: answer.headers.get("idempotent-replayed") === "true" };

    if (action === "forward-then-drop") {
      req.socket.destroy();
      return;
    }
    if (typeof action === "object" && action.forwardThenStatus) {
      res.writeHead(action.forwardThenStatus, { "content-type": "text/html" });
      res.end(action.body ?? "<html>Bad gateway</html>");
      return;
    }
    const outHeaders = {};
    answer.headers.forEach((value, name) => {
      if (!["content-length", "transfer-encoding", "connection", "content-encoding"].includes(name)) outHeaders[name] = value;
    });
    res.writeHead(answer.status, outHeaders);
    res.end(answer.body);
  });
  const url = await listen(server);
  return { url, requests, stop: () => close(server) };
}

/** A local endpoint that records webhook deliveries: raw body bytes and headers. */
export async function startReceiver() {
  const deliveries = [];
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    deliveries.push({ body, headers: req.headers, text: body.toString("utf8") });
    res.writeHead(204).end();
  });
  const url = await listen(server);
  return { url, deliveries, stop: () => close(server) };
}

/** A port with nothing listening on it (bound, then released). */
export async function closedPort() {
  const server = http.createServer();
  const url = await listen(server);
  await close(server);
  return url;
}

/**
 * A small SMTP server on loopback that accepts every email (AUTH PLAIN, no TLS) and keeps what
 * it received, as transmitted (dot-stuffing undone). Stop it with `sink.close()`.
 */
export async function startSmtpSink() {
  const received = [];
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.setEncoding("utf8");
    let buffer = "";
    let data = null;
    socket.write("220 sink ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data !== null) {
          if (line === ".") {
            received.push(data);
            data = null;
            socket.write("250 2.0.0 queued\r\n");
          } else {
            data += (line.startsWith(".") ? line.slice(1) : line) + "\r\n";
          }
          continue;
        }
        const verb = line.split(" ")[0].toUpperCase();
        if (verb === "EHLO" || verb === "HELO") socket.write("250-sink\r\n250 AUTH PLAIN\r\n");
        else if (verb === "AUTH") socket.write("235 2.7.0 accepted\r\n");
        else if (verb === "DATA") {
          data = "";
          socket.write("354 go on\r\n");
        } else if (verb === "QUIT") {
          socket.end("221 bye\r\n");
        } else socket.write("250 ok\r\n");
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    received,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
