// TAESD decoders are matched to the checkpoint's base by ComfyUI's file names (their shapes are the same).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { previewDecoderFor } from './preview-decoder.ts';

const models = [
  { path: '/m/checkpoints/sd15.safetensors', kind: 'checkpoint' as const, base: 'sd15' as const },
  { path: '/m/checkpoints/sdxl.safetensors', kind: 'checkpoint' as const, base: 'sdxl' as const },
  { path: '/m/vae_approx/taesdxl_decoder.safetensors', kind: 'taesd' as const, base: null },
  { path: '/m/vae_approx/taesd/diffusion_pytorch_model.safetensors', kind: 'taesd' as const, base: null },
];

test('the SD1.5 job gets TAESD, the SDXL job TAESDXL; no decoder for an unknown checkpoint or a base without one', () => {
  assert.equal(previewDecoderFor('/m/checkpoints/sd15.safetensors', models), '/m/vae_approx/taesd/diffusion_pytorch_model.safetensors');
  assert.equal(previewDecoderFor('/m/checkpoints/sdxl.safetensors', models), '/m/vae_approx/taesdxl_decoder.safetensors');
  assert.equal(previewDecoderFor('/elsewhere/model.safetensors', models), undefined);
  assert.equal(previewDecoderFor('/m/checkpoints/sd15.safetensors', models.filter((m) => !m.path.includes('/taesd/'))), undefined);
});
