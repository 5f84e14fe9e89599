// The registry's JSON error bodies ({"errors":[{code,message,detail}]}) as containerd's
// docker.Errors prints them: only the codes containerd registers keep their name,
// others read as "unknown".

const known: Record<string, string> = {
  UNKNOWN: 'unknown error',
  UNSUPPORTED: 'The operation is unsupported.',
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  UNAVAILABLE: 'service unavailable',
  TOOMANYREQUESTS: 'too many requests',
};

const codeText = (code: string) => code.replace(/_/g, ' ').toLowerCase();

/** docker.Errors.Error() for a body, or undefined when it holds no errors. */
export function registryErrorsText(body: string): string | undefined {
  let parsed: { errors?: Array<{ code?: string; message?: string; detail?: unknown }> };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return undefined;
  }
  const errs = (parsed?.errors ?? []).map((e) => {
    const code = typeof e.code === 'string' && e.code in known ? e.code : 'UNKNOWN';
    const msg = e.message ?? '';
    if ((e.detail === undefined || e.detail === null) && (msg === '' || msg === known[code])) return codeText(code);
    return `${codeText(code)}: ${msg}`;
  });
  if (errs.length === 0) return undefined;
  if (errs.length === 1) return errs[0];
  return `errors:\n${errs.map((e) => `${e}\n`).join('')}`;
}
