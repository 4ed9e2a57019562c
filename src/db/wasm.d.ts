// esbuild's `file` loader turns a .wasm import into the path of the copied file, relative to
// the importing chunk.
declare module '*.wasm' {
  const file: string;
  export default file;
}
