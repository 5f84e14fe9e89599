// Injected by scripts/build.mjs from package.json; "dev" when running from source.
declare const __CTR_VERSION__: string | undefined;
export const VERSION: string = typeof __CTR_VERSION__ === 'string' ? __CTR_VERSION__ : 'dev';
