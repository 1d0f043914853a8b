/** Lua scripts and shell supervisors are bundled as text (esbuild `text` loader, a vitest plugin in tests). */
declare module '*.lua' {
  const text: string;
  export default text;
  /** SHA1 of the text, for EVALSHA */
  export const sha: string;
}
declare module '*.sh' {
  const text: string;
  export default text;
}
