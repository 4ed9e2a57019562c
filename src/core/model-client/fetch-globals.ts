// Injected by the build (esbuild --inject) wherever the bundled code names these globals. The
// openai client builds each request's headers with `new Headers()` and checks each body with
// `instanceof FormData`; with Node's globals either one loads Node's fetch implementation
// (see headers.ts), which the transport otherwise never needs.
import { HttpHeaders } from './headers.js';

export { HttpHeaders as Headers };

/**
 * Constructs Node's FormData, but answers `instanceof` by the value's tag, without loading
 * the class: a request body is checked against it on every call.
 */
export function FormData(): globalThis.FormData {
  return new globalThis.FormData();
}
Object.defineProperty(FormData, Symbol.hasInstance, {
  value: (value: unknown) => Object.prototype.toString.call(value) === '[object FormData]',
});
