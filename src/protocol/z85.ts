/** Z85 (ZeroMQ RFC 32) encoding: the ZAP handler receives raw 32-byte CURVE keys, config holds Z85 text. */
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

export function z85Encode(data: Uint8Array): string {
  if (data.length % 4 !== 0) throw new Error('z85: input length must be a multiple of 4');
  let out = '';
  for (let i = 0; i < data.length; i += 4) {
    let value = ((data[i]! << 24) >>> 0) + (data[i + 1]! << 16) + (data[i + 2]! << 8) + data[i + 3]!;
    const chunk: string[] = [];
    for (let j = 0; j < 5; j++) {
      chunk.unshift(ALPHABET[value % 85]!);
      value = Math.floor(value / 85);
    }
    out += chunk.join('');
  }
  return out;
}

export function isZ85Key(s: string): boolean {
  return s.length === 40 && [...s].every((c) => ALPHABET.includes(c));
}
