// Renders assets/icon.svg to the PNG icons electron-builder and the Linux window use (`npm run icons`).
// electron-builder derives the Windows .ico and the macOS .icns from the 1024 px PNG.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const assets = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../assets');
const source = path.join(assets, 'icon.svg');

for (const [file, size] of [['icon.png', 1024], ['icons/512x512.png', 512], ['icons/256x256.png', 256]] as const) {
  // Render the vector at the target size (density scales the 1024 px viewBox) instead of shrinking a bitmap.
  await sharp(source, { density: (72 * size) / 1024 }).resize(size, size).png({ compressionLevel: 9 }).toFile(path.join(assets, file));
  console.log(`wrote assets/${file} (${size}×${size})`);
}
