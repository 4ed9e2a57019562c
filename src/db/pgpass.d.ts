// pgpass (the module pg itself uses to read ~/.pgpass) ships no types.
declare module 'pgpass' {
  const pgpass: (
    params: { host?: string; port?: number; database?: string; user?: string },
    done: (password?: string) => void,
  ) => void;
  export default pgpass;
}
