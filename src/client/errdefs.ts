// containerd's errdefs.FromGRPC: the client-side stores (namespaces, leases, images,
// containers, content, snapshots) turn a gRPC status into "<desc>: <class>", and ctr
// prints that. Raw service calls (version, introspection) keep the status text.

import { Code, GrpcError } from './transport.js';

const classText: Record<number, string> = {
  [Code.InvalidArgument]: 'invalid argument',
  [Code.AlreadyExists]: 'already exists',
  [Code.NotFound]: 'not found',
  [Code.Unavailable]: 'unavailable',
  [Code.FailedPrecondition]: 'failed precondition',
  [Code.Unimplemented]: 'not implemented',
  [Code.Canceled]: 'context canceled',
  [Code.DeadlineExceeded]: 'context deadline exceeded',
};

/** An error class from containerd's errdefs, with the text ctr prints. */
export class ErrdefsError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'ErrdefsError';
  }
}

export function fromGRPC(err: unknown): unknown {
  if (!(err instanceof GrpcError)) return err;
  const cls = classText[err.code] ?? 'unknown';
  const desc = err.details;
  if (desc === cls) return new ErrdefsError(err.code, cls);
  const trimmed = desc.endsWith(`: ${cls}`) ? desc.slice(0, -(cls.length + 2)) : desc;
  return new ErrdefsError(err.code, `${trimmed}: ${cls}`);
}

/** Runs a call and rethrows its error converted by fromGRPC. */
export async function converted<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw fromGRPC(e);
  }
}

export function isNotFound(err: unknown): boolean {
  return (err instanceof GrpcError || err instanceof ErrdefsError) && err.code === Code.NotFound;
}
