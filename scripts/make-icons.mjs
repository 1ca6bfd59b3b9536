// Draws the app icon and the tray icons (one per sync state) into assets/, with no image
// library: shapes are tested per pixel, 4×4 supersampled for smooth edges, and written as PNG
// through node's zlib. Windows .ico files embed the PNGs (supported since Vista).
// Usage: node scripts/make-icons.mjs
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OUT = 'assets';
const SAMPLES = 4;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++)
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function ico(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, data }, i) => {
    const e = 6 + 16 * i;
    header[e] = size >= 256 ? 0 : size;
    header[e + 1] = size >= 256 ? 0 : size;
    header.writeUInt16LE(1, e + 4);
    header.writeUInt16LE(32, e + 6);
    header.writeUInt32LE(data.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.data)]);
}

/** Paints layers (shape test over unit coordinates + colour) into an RGBA buffer. */
function render(size, layers) {
  const out = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (const { shape, color } of layers) {
        let hits = 0;
        for (let sy = 0; sy < SAMPLES; sy++)
          for (let sx = 0; sx < SAMPLES; sx++)
            if (shape((x + (sx + 0.5) / SAMPLES) / size, (y + (sy + 0.5) / SAMPLES) / size)) hits++;
        const alpha = (hits / SAMPLES ** 2) * (color[3] ?? 1);
        if (alpha === 0) continue;
        const outA = alpha + a * (1 - alpha);
        r = (color[0] * alpha + r * a * (1 - alpha)) / outA;
        g = (color[1] * alpha + g * a * (1 - alpha)) / outA;
        b = (color[2] * alpha + b * a * (1 - alpha)) / outA;
        a = outA;
      }
      out.set(
        [Math.round(r), Math.round(g), Math.round(b), Math.round(a * 255)],
        (y * size + x) * 4,
      );
    }
  }
  return out;
}

// Shapes over unit coordinates.
const roundedRect = (x0, y0, x1, y1, radius) => (u, v) => {
  const dx = Math.max(x0 + radius - u, 0, u - (x1 - radius));
  const dy = Math.max(y0 + radius - v, 0, v - (y1 - radius));
  return u >= x0 && u <= x1 && v >= y0 && v <= y1 && dx * dx + dy * dy <= radius * radius;
};
const circle = (cx, cy, r) => (u, v) => (u - cx) ** 2 + (v - cy) ** 2 <= r * r;
const union =
  (...shapes) =>
  (u, v) =>
    shapes.some((s) => s(u, v));
const inTriangle = (p, a, b, c) => {
  const side = (p1, p2, p3) =>
    (p1[0] - p3[0]) * (p2[1] - p3[1]) - (p2[0] - p3[0]) * (p1[1] - p3[1]);
  const d1 = side(p, a, b);
  const d2 = side(p, b, c);
  const d3 = side(p, c, a);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
};

/** Two arcs chasing each other with arrowheads: the sync symbol, centred at (cx, cy). */
function syncSymbol(cx, cy, radius, width) {
  const inner = radius - width;
  const mid = radius - width / 2;
  const arcs = [
    [200, 340],
    [20, 160],
  ].map(([from, to]) => [(from * Math.PI) / 180, (to * Math.PI) / 180]);
  const ring = (u, v) => {
    const d = Math.hypot(u - cx, v - cy);
    if (d < inner || d > radius) return false;
    let angle = Math.atan2(v - cy, u - cx);
    if (angle < 0) angle += 2 * Math.PI;
    return arcs.some(([from, to]) => angle >= from && angle <= to);
  };
  const heads = arcs.map(([, to]) => {
    const at = (r, a) => [cx + r * Math.cos(a), cy + r * Math.sin(a)];
    const a = at(mid - width * 1.25, to);
    const b = at(mid + width * 1.25, to);
    const tip = at(mid, to + (width * 1.6) / mid);
    return (u, v) => inTriangle([u, v], a, b, tip);
  });
  return union(ring, ...heads);
}

/** What sits in the middle of the tray symbol for each state. */
const STATE_MARK = {
  idle: null,
  syncing: circle(0.5, 0.5, 0.11),
  error: union(roundedRect(0.44, 0.3, 0.56, 0.56, 0.04), circle(0.5, 0.67, 0.065)),
  paused: union(
    roundedRect(0.38, 0.34, 0.46, 0.66, 0.02),
    roundedRect(0.54, 0.34, 0.62, 0.66, 0.02),
  ),
};
const STATE_COLOR = {
  idle: [31, 111, 235],
  syncing: [31, 111, 235],
  error: [207, 34, 46],
  paused: [110, 118, 129],
};

function trayLayers(state, color) {
  const mark = STATE_MARK[state];
  return [
    { shape: syncSymbol(0.5, 0.5, 0.47, 0.13), color },
    ...(mark ? [{ shape: mark, color }] : []),
  ];
}

mkdirSync(join(OUT, 'tray'), { recursive: true });
for (const state of Object.keys(STATE_MARK)) {
  const color = STATE_COLOR[state];
  const small = png(16, render(16, trayLayers(state, color)));
  const large = png(32, render(32, trayLayers(state, color)));
  writeFileSync(join(OUT, 'tray', `${state}.png`), small);
  writeFileSync(join(OUT, 'tray', `${state}@2x.png`), large);
  writeFileSync(
    join(OUT, 'tray', `${state}.ico`),
    ico([
      { size: 16, data: small },
      { size: 32, data: large },
    ]),
  );
  // macOS template images: black and alpha only; the system tints them for light and dark bars.
  writeFileSync(
    join(OUT, 'tray', `${state}Template.png`),
    png(16, render(16, trayLayers(state, [0, 0, 0]))),
  );
  writeFileSync(
    join(OUT, 'tray', `${state}Template@2x.png`),
    png(32, render(32, trayLayers(state, [0, 0, 0]))),
  );
}

const appLayers = [
  { shape: roundedRect(0.04, 0.04, 0.96, 0.96, 0.2), color: [11, 95, 190] },
  { shape: roundedRect(0.18, 0.22, 0.82, 0.84, 0.07), color: [255, 255, 255] },
  { shape: roundedRect(0.18, 0.22, 0.82, 0.36, 0.07), color: [8, 63, 128] },
  { shape: roundedRect(0.18, 0.3, 0.82, 0.36, 0), color: [8, 63, 128] },
  {
    shape: union(
      roundedRect(0.32, 0.15, 0.38, 0.29, 0.03),
      roundedRect(0.62, 0.15, 0.68, 0.29, 0.03),
    ),
    color: [255, 255, 255],
  },
  { shape: syncSymbol(0.5, 0.6, 0.19, 0.055), color: [11, 95, 190] },
];
writeFileSync(join(OUT, 'icon.png'), png(1024, render(1024, appLayers)));
writeFileSync(
  join(OUT, 'icon.ico'),
  ico([16, 32, 48, 256].map((size) => ({ size, data: png(size, render(size, appLayers)) }))),
);
process.stdout.write('icons written to assets/\n');
