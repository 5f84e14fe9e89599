// Dialing the unix socket the way containerd's Go client does (grpc.WithBlock,
// FailOnNonTempDialError, containerd's ContextDialer), so failures take as long and
// read the same as with the real ctr:
// - a missing socket file is retried every 10 ms within one connection attempt;
// - each attempt gets grpc's current backoff (1 s, then x1.6 with ±20 % jitter,
//   at most 3 s) to connect and receive the server's SETTINGS, and failed attempts
//   are followed by a wait of the same length;
// - a non-temporary error (e.g. connection refused) fails at once;
// - at the overall deadline the text is "context deadline exceeded", followed by
//   ": <last connection error>" when an attempt had already failed.
import { goQuote } from '../../format/quote.js';
import { errnoText } from '../../util/errno.js';
import { connectPipe, type ConnectResult } from '../../util/pipe.js';
import { DialError } from '../transport.js';
import { H2Connection, type ConnectionHooks } from './connection.js';

/** ctr's default when --connect-timeout is 0 or absent. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const NOENT_RETRY_MS = 10;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 3000;

/** Errnos whose Go error reports Temporary(): grpc keeps retrying those. */
const TEMPORARY = new Set(['EAGAIN', 'EINTR', 'EMFILE', 'ENFILE', 'ETIMEDOUT']);

function connectionError(desc: string): string {
  return `connection error: desc = ${goQuote(`transport: error while dialing: ${desc}`)}`;
}

/** grpc's backoff for the n-th retry (grpc.backoff.DefaultConfig, MaxDelay 3 s). */
export function backoffMs(retries: number): number {
  if (retries === 0) return BACKOFF_BASE_MS;
  const delay = Math.min(BACKOFF_BASE_MS * 1.6 ** retries, BACKOFF_MAX_MS);
  return delay * (1 + 0.2 * (Math.random() * 2 - 1));
}

export function socketPath(address: string): string {
  return address.startsWith('unix://') ? address.slice('unix://'.length) : address;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

type AttemptResult =
  | { conn: H2Connection }
  | { temporary: string } // recorded as the last connection error, then back off and retry
  | { fatal: string } // fail the dial now
  | { deadline: true }; // the attempt ran into the overall deadline

async function attempt(
  path: string, address: string, until: number, untilIsOverall: boolean, hooks: ConnectionHooks,
): Promise<AttemptResult> {
  const timedOut = (): AttemptResult =>
    untilIsOverall ? { deadline: true } : { temporary: connectionError(`dial unix://${address}: timeout`) };
  let result: ConnectResult;
  for (;;) {
    result = await connectPipe(path);
    if (!('errno' in result) || result.errno !== 'ENOENT') break;
    if (Date.now() >= until) return timedOut();
    await sleep(Math.min(NOENT_RETRY_MS, until - Date.now()));
    if (Date.now() >= until) return timedOut();
  }
  if ('errno' in result) {
    const text = errnoText(result.errno) ?? result.message.replace(/^\w+ /, '').toLowerCase();
    const desc = connectionError(`dial unix ${path}: connect: ${text}`);
    return TEMPORARY.has(result.errno) ? { temporary: desc } : { fatal: desc };
  }

  const socket = result.socket;
  const conn = new H2Connection(socket, hooks);
  let timer: NodeJS.Timeout | undefined;
  const handshake = await Promise.race([
    conn.ready.then(() => 'ready' as const, () => 'closed' as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, until - Date.now(), 'timeout'))),
  ]);
  clearTimeout(timer);
  if (handshake === 'ready') return { conn };
  conn.close();
  if (handshake === 'closed') return { temporary: 'connection closed' };
  return untilIsOverall ? { deadline: true } : { temporary: 'timed out waiting for server handshake' };
}

/**
 * Connects and completes the HTTP/2 handshake, or rejects with DialError. The
 * address is reported as given, like ctr does.
 */
export async function dialConnection(
  address: string, connectTimeoutMs: number | undefined, hooks: ConnectionHooks = {},
): Promise<H2Connection> {
  const path = socketPath(address);
  const deadline = Date.now() + (connectTimeoutMs || DEFAULT_CONNECT_TIMEOUT_MS);
  let lastError: string | undefined;
  const expired = () =>
    new DialError(address, lastError ? `context deadline exceeded: ${lastError}` : 'context deadline exceeded');
  for (let retries = 0; ; retries++) {
    const backoff = backoffMs(retries);
    const attemptEnd = Date.now() + backoff;
    const result = await attempt(path, address, Math.min(attemptEnd, deadline), attemptEnd > deadline, hooks);
    if ('conn' in result) return result.conn;
    if ('fatal' in result) throw new DialError(address, result.fatal);
    if ('deadline' in result) throw expired();
    lastError = result.temporary;
    if (Date.now() + backoff >= deadline) {
      await sleep(deadline - Date.now());
      throw expired();
    }
    await sleep(backoff);
  }
}
