/**
 * The end record a batch step's supervisor writes (supervisor.sh:
 * `rc=N`, `end=EPOCH`, `sig=N` lines), read the same way by every driver
 * that runs it. Pure.
 */
export interface EndRecord {
  exit: number;
  /** the signal that killed the batch script (0: it exited); absent when the supervisor could not tell */
  signal?: number;
  /** epoch seconds */
  end: number;
}

export function readEndRecord(text: string, nowSeconds: number): EndRecord {
  const sig = /sig=(\d+)/.exec(text)?.[1];
  return {
    exit: Number(/rc=(\d+)/.exec(text)?.[1] ?? '1'),
    ...(sig === undefined ? {} : { signal: Number(sig) }),
    end: Number(/end=(\d+)/.exec(text)?.[1] ?? nowSeconds),
  };
}
