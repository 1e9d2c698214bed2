#!/usr/bin/env node
// Draws the app's PWA icons (a chat bubble on the brand gradient) as PNGs into ui/public/icons; no image library needed.
// Run once after a design change: node scripts/make-icons.mjs (the PNGs are committed).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'ui', 'public', 'icons');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x + 0.5, y + 0.5);
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
      raw[o + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6; // RGBA
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    sig,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Inside a rounded rectangle (centre cx,cy, half sizes hw,hh, radius r)? */
const inRoundRect = (x, y, cx, cy, hw, hh, r) => {
  const dx = Math.max(Math.abs(x - cx) - (hw - r), 0);
  const dy = Math.max(Math.abs(y - cy) - (hh - r), 0);
  return dx * dx + dy * dy <= r * r;
};

/** `maskable`: full-bleed background, artwork inside the central 80% safe zone. */
function icon(size, maskable) {
  const s = size;
  return png(s, (x, y) => {
    const u = x / s;
    const v = y / s;
    const inBg = maskable || inRoundRect(x, y, s / 2, s / 2, s / 2, s / 2, s * 0.22);
    if (!inBg) return [0, 0, 0, 0];
    // indigo-500 (#6366f1) to violet-500 (#8b5cf6) along the diagonal
    const tt = (u + v) / 2;
    const bg = [
      Math.round(0x63 + (0x8b - 0x63) * tt),
      Math.round(0x66 + (0x5c - 0x66) * tt),
      Math.round(0xf1 + (0xf6 - 0xf1) * tt),
    ];
    const k = maskable ? 0.78 : 1; // shrink the artwork into the safe zone
    const bx = (x - s / 2) / k + s / 2;
    const by = (y - s / 2) / k + s / 2;
    const bubble = inRoundRect(bx, by, s * 0.5, s * 0.45, s * 0.3, s * 0.2, s * 0.09);
    // the bubble's tail: a triangle under its lower left
    const tx = (bx - s * 0.3) / s;
    const ty = (by - s * 0.6) / s;
    const tail = ty >= 0 && ty <= 0.13 && tx >= 0 && tx <= 0.13 - ty;
    if (!bubble && !tail) return [...bg, 255];
    for (const dx of [-0.12, 0, 0.12]) {
      const ddx = bx / s - (0.5 + dx);
      const ddy = by / s - 0.45;
      if (ddx * ddx + ddy * ddy <= 0.035 * 0.035) return [...bg, 255];
    }
    return [255, 255, 255, 255];
  });
}

mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'icon-192.png'), icon(192, false));
writeFileSync(path.join(out, 'icon-512.png'), icon(512, false));
writeFileSync(path.join(out, 'maskable-512.png'), icon(512, true));
process.stdout.write(`icons written to ${out}\n`);
