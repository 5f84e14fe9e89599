// Go's syscall.Errno strings, by node's error code name: ctr prints these where node's
// own messages differ ("ENOENT: no such file or directory, open '/x'").

const TEXTS: Record<string, string> = {
  EACCES: 'permission denied',
  EAGAIN: 'resource temporarily unavailable',
  EBUSY: 'device or resource busy',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'file exists',
  EINTR: 'interrupted system call',
  EINVAL: 'invalid argument',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  EMLINK: 'too many links',
  ENAMETOOLONG: 'file name too long',
  ENFILE: 'too many open files in system',
  ENODEV: 'no such device',
  ENOENT: 'no such file or directory',
  ENOSPC: 'no space left on device',
  ENOTDIR: 'not a directory',
  ENXIO: 'no such device or address',
  EPERM: 'operation not permitted',
  EPROTOTYPE: 'protocol wrong type for socket',
  EROFS: 'read-only file system',
  ETIMEDOUT: 'connection timed out',
};

/** Go's text for errno `code` (e.g. 'ENOENT'), or undefined when it is not listed. */
export function errnoText(code: string | undefined): string | undefined {
  return code ? TEXTS[code] : undefined;
}
