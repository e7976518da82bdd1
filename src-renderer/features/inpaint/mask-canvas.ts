// The inpaint mask as pixels: painted areas are opaque (in an overlay colour), the rest transparent; strokes are soft round dabs.
// Undo/redo keep whole snapshots (masks are at most a few megapixels, and a stroke is one step).

const HISTORY_LIMIT = 40;
/** The overlay colour the mask is painted in (its alpha is the mask; the colour is only for showing it). */
const PAINT = '255,72,110';

export type MaskTool = 'brush' | 'eraser';

export class MaskCanvas {
  readonly canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D;
  #undo: ImageData[] = [];
  #redo: ImageData[] = [];
  #last: { x: number; y: number } | undefined;

  constructor(canvas: HTMLCanvasElement) {
    this.canvas = canvas;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (context === null) throw new Error('this browser cannot draw on a canvas');
    this.#context = context;
  }

  get canUndo(): boolean {
    return this.#undo.length > 0;
  }

  get canRedo(): boolean {
    return this.#redo.length > 0;
  }

  /** Starts a stroke (one undo step) at image pixel (x, y). */
  begin(x: number, y: number, tool: MaskTool, size: number, hardness: number): void {
    this.#remember();
    this.#last = undefined;
    this.extend(x, y, tool, size, hardness);
  }

  /** Continues the stroke to (x, y), with dabs close enough to look continuous. */
  extend(x: number, y: number, tool: MaskTool, size: number, hardness: number): void {
    if (this.#last === undefined) {
      this.#dab(x, y, tool, size, hardness);
      this.#last = { x, y };
      return;
    }
    const from = this.#last;
    const distance = Math.hypot(x - from.x, y - from.y);
    const spacing = Math.max(1, size / 6);
    const steps = Math.max(1, Math.ceil(distance / spacing));
    for (let i = 1; i <= steps; i++) {
      this.#dab(from.x + ((x - from.x) * i) / steps, from.y + ((y - from.y) * i) / steps, tool, size, hardness);
    }
    this.#last = { x, y };
  }

  end(): void {
    this.#last = undefined;
  }

  clear(): void {
    this.#remember();
    this.#context.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }

  invert(): void {
    this.#remember();
    const image = this.#context.getImageData(0, 0, this.canvas.width, this.canvas.height);
    for (let i = 0; i < image.data.length; i += 4) {
      image.data[i] = 255;
      image.data[i + 1] = 72;
      image.data[i + 2] = 110;
      image.data[i + 3] = 255 - (image.data[i + 3] ?? 0);
    }
    this.#context.putImageData(image, 0, 0);
  }

  /** Paints a filled ellipse inside a box (e.g. a detected face), one undo step. */
  fillEllipse(x: number, y: number, width: number, height: number): void {
    this.#remember();
    this.#context.globalCompositeOperation = 'source-over';
    this.#context.fillStyle = `rgb(${PAINT})`;
    this.#context.beginPath();
    this.#context.ellipse(x + width / 2, y + height / 2, width / 2, height / 2, 0, 0, Math.PI * 2);
    this.#context.fill();
  }

  undo(): void {
    const previous = this.#undo.pop();
    if (previous === undefined) return;
    this.#redo.push(this.#snapshot());
    this.#context.putImageData(previous, 0, 0);
  }

  redo(): void {
    const next = this.#redo.pop();
    if (next === undefined) return;
    this.#undo.push(this.#snapshot());
    this.#context.putImageData(next, 0, 0);
  }

  /** True when nothing is painted. */
  isEmpty(): boolean {
    const data = this.#context.getImageData(0, 0, this.canvas.width, this.canvas.height).data;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) return false;
    return true;
  }

  /** The mask as the engine wants it: white where painted (partial for soft edges), black elsewhere, as PNG. */
  async toPng(): Promise<Blob> {
    const out = document.createElement('canvas');
    out.width = this.canvas.width;
    out.height = this.canvas.height;
    const context = out.getContext('2d');
    if (context === null) throw new Error('this browser cannot draw on a canvas');
    // White with the mask's alpha, over black.
    context.drawImage(this.canvas, 0, 0);
    context.globalCompositeOperation = 'source-in';
    context.fillStyle = 'white';
    context.fillRect(0, 0, out.width, out.height);
    context.globalCompositeOperation = 'destination-over';
    context.fillStyle = 'black';
    context.fillRect(0, 0, out.width, out.height);
    return new Promise((resolve, reject) => out.toBlob((blob) => (blob === null ? reject(new Error('the mask could not be encoded')) : resolve(blob)), 'image/png'));
  }

  #dab(x: number, y: number, tool: MaskTool, size: number, hardness: number): void {
    const radius = size / 2;
    const gradient = this.#context.createRadialGradient(x, y, 0, x, y, radius);
    gradient.addColorStop(0, `rgba(${PAINT},1)`);
    gradient.addColorStop(Math.min(0.999, Math.max(0, hardness)), `rgba(${PAINT},1)`);
    gradient.addColorStop(1, `rgba(${PAINT},0)`);
    this.#context.globalCompositeOperation = tool === 'brush' ? 'source-over' : 'destination-out';
    this.#context.fillStyle = gradient;
    this.#context.beginPath();
    this.#context.arc(x, y, radius, 0, Math.PI * 2);
    this.#context.fill();
    this.#context.globalCompositeOperation = 'source-over';
  }

  #snapshot(): ImageData {
    return this.#context.getImageData(0, 0, this.canvas.width, this.canvas.height);
  }

  #remember(): void {
    this.#undo.push(this.#snapshot());
    if (this.#undo.length > HISTORY_LIMIT) this.#undo.shift();
    this.#redo = [];
  }
}
