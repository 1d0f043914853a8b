/**
 * The API key, held so that it cannot leak by accident: printing, logging,
 * JSON.stringify or util.inspect of it (or of an object holding it) shows
 * `[redacted]`; only the transport reads the value, to write the header.
 * `redact` scrubs it from any text that is about to leave our process.
 */
import { inspect } from 'node:util';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** For the Authorization header only. */
  reveal(): string {
    return this.#value;
  }

  /** text with every occurrence of the key replaced */
  redact(text: string): string {
    return this.#value.length >= 4 ? text.split(this.#value).join('[redacted]') : text;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}
