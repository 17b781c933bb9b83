// SHA-256 (FIPS 180-4) in plain JavaScript, for the runbook's hash and the audit log's chain.
//
// Why not node:crypto: loading it costs a one-step `playbook run` ~2 ms of its start-up, and the engine and the
// parser also run where there is no Node. Why not a general hash library: a CLI process hashes a few kB once, in
// code V8 has not optimised yet. @noble/hashes (used before) reads the message through a DataView and a class per
// block; interpreted, the six entries of a one-step run took ~2.5 ms of it. Here a block is read with byte
// operations on local variables, and each block is its own call — so V8 optimises the compression function in the
// background instead of replacing a long-running loop on the stack (on-stack replacement compiles on the main
// thread, ~1.4 ms here). Tested against node:crypto for every length around the block boundaries.

/** The round constants: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = Int32Array.of(
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
);

/** The initial state: the first 32 bits of the fractional parts of the square roots of the first 8 primes. */
const INITIAL = Int32Array.of(
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
);

/** The message schedule, shared: a block is compressed start to end without yielding. */
const W = new Int32Array(64);

/** Mixes the 64-byte block of `data` at `at` into `state`. */
function compress(state: Int32Array, data: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++, at += 4) {
    W[i] =
      ((data[at] as number) << 24) |
      ((data[at + 1] as number) << 16) |
      ((data[at + 2] as number) << 8) |
      (data[at + 3] as number);
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15] as number;
    const y = W[i - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (s1 + (W[i - 7] as number) + s0 + (W[i - 16] as number)) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + (K[i] as number) + (W[i] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
}

/** A SHA-256 of bytes given a piece at a time: `update` as often as needed, then `hex` once. */
export class Sha256 {
  readonly #state = INITIAL.slice();
  /** The start of a block not yet complete. */
  readonly #pending = new Uint8Array(64);
  #pendingLength = 0;
  /** Bytes hashed so far (a safe integer: 2^53 bytes is far past anything hashed here). */
  #length = 0;
  #done = false;

  update(bytes: Uint8Array): this {
    if (this.#done) throw new Error('this SHA-256 is already finished');
    const state = this.#state;
    let at = 0;
    this.#length += bytes.length;
    if (this.#pendingLength > 0) {
      const taken = Math.min(64 - this.#pendingLength, bytes.length);
      this.#pending.set(bytes.subarray(0, taken), this.#pendingLength);
      this.#pendingLength += taken;
      at = taken;
      if (this.#pendingLength < 64) return this;
      compress(state, this.#pending, 0);
      this.#pendingLength = 0;
    }
    for (; at + 64 <= bytes.length; at += 64) compress(state, bytes, at);
    if (at < bytes.length) {
      this.#pending.set(bytes.subarray(at), 0);
      this.#pendingLength = bytes.length - at;
    }
    return this;
  }

  /** The hash, in lower-case hexadecimal. */
  hex(): string {
    if (this.#done) throw new Error('this SHA-256 is already finished');
    this.#done = true;
    const state = this.#state;
    const tail = this.#pending;
    let used = this.#pendingLength;
    tail[used++] = 0x80;
    if (used > 56) {
      tail.fill(0, used);
      compress(state, tail, 0);
      used = 0;
    }
    tail.fill(0, used, 56);
    // The length in bits, big-endian over the last 8 bytes.
    const bits = this.#length * 8;
    const high = Math.floor(bits / 0x100000000);
    const low = bits >>> 0;
    tail[56] = high >>> 24;
    tail[57] = high >>> 16;
    tail[58] = high >>> 8;
    tail[59] = high;
    tail[60] = low >>> 24;
    tail[61] = low >>> 16;
    tail[62] = low >>> 8;
    tail[63] = low;
    compress(state, tail, 0);
    let hex = '';
    for (let i = 0; i < 8; i++) hex += ((state[i] as number) >>> 0).toString(16).padStart(8, '0');
    return hex;
  }
}

/** One encoder for every hash of a text: it holds no state between calls. */
const UTF8 = new TextEncoder();

/** The lower-case hexadecimal SHA-256 of `input`: bytes, or a text as UTF-8 (a lone surrogate as U+FFFD). */
export function sha256Hex(input: Uint8Array | string): string {
  return new Sha256().update(typeof input === 'string' ? UTF8.encode(input) : input).hex();
}
