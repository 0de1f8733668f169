const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JSON value → UTF-8 bytes (directory records are small JSON documents). */
export function jsonBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** UTF-8 JSON bytes → value. */
export function parseJsonBytes<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T;
}

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
