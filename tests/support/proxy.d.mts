export interface ForwardProxy {
  url: string;
  /** Each request the proxy received: its method and its absolute URI or CONNECT target. */
  seen: { method: string; target: string }[];
  close(): Promise<void>;
}

export function startProxy(options?: { hosts?: Record<string, string> }): Promise<ForwardProxy>;
