// UNet graphs against goldens/unet (plain), unet_ip (FaceID tokens at each golden ip scale) and unet_lora (FaceID
// LoRA at each golden strength), from each checkpoint form; ip scale 0 (and LoRA 0) must equal the plain UNet.
// Scales and strengths are read from the golden tensor names, never assumed.
import path from 'node:path';
import { compiledFixture, filled, FIXTURE_SOURCES, floatTensor, sessionFor } from '../compiled-fixtures.ts';
import { loadGoldenTensors, type GoldenSuite } from '../golden-suite.ts';

export const suite: GoldenSuite = {
  name: 'unet',
  async run(ctx) {
    const plainGolden = await loadGoldenTensors(path.join(ctx.fixtures, 'goldens', 'unet.safetensors'));
    const ipGolden = await loadGoldenTensors(path.join(ctx.fixtures, 'goldens', 'unet_ip.safetensors'));
    const loraGolden = await loadGoldenTensors(path.join(ctx.fixtures, 'goldens', 'unet_lora.safetensors'));
    const p = (name: string) => plainGolden.tensors.get(name)!;
    const ip = (name: string) => ipGolden.tensors.get(name)!;
    const lora = (name: string) => loraGolden.tensors.get(name)!;
    const textTokens = ip('encoder_hidden_states_text').shape[1]!;
    for (const { source, label, tolerance } of FIXTURE_SOURCES) {
      const plain = await compiledFixture(ctx.fixtures, source, false);
      const plainSession = await sessionFor(plain.unet.path);
      const plainOut = await plainSession.run({ sample: floatTensor(p('latent')), timestep: floatTensor(p('timestep')), encoder_hidden_states: floatTensor(p('encoder_hidden_states')) });
      ctx.check(`${label}/plain t=${p('timestep').data[0]}`, plainOut['out_sample']!.data as Float32Array, p('out').data, tolerance ?? 'unet');
      const atOne = await plainSession.run({ sample: floatTensor(p('latent')), timestep: floatTensor({ data: Float32Array.of(1), shape: [1] }), encoder_hidden_states: floatTensor(p('encoder_hidden_states')) });
      ctx.check(`${label}/plain t=1`, atOne['out_sample']!.data as Float32Array, p('out_t1').data, tolerance ?? 'unet');

      const withAdapter = await compiledFixture(ctx.fixtures, source, true);
      const session = await sessionFor(withAdapter.unet.path);
      const layers = withAdapter.unet.crossAttentionLayers;
      const loraCount = withAdapter.loras.length;
      const run = async (latent: string, textName: string, golden: typeof ip, ipScale: number, loraStrength: number) => {
        const concat = golden(textName);
        // The goldens give text ⊕ IP tokens along the sequence; our graph takes them apart.
        const tokens = concat.shape[1]!;
        const width = concat.shape[2]!;
        const batch = concat.shape[0]!;
        const ipCount = tokens - textTokens;
        const text = new Float32Array(batch * textTokens * width);
        const ipTokens = new Float32Array(batch * ipCount * width);
        for (let b = 0; b < batch; b++) {
          text.set(concat.data.subarray(b * tokens * width, (b * tokens + textTokens) * width), b * textTokens * width);
          ipTokens.set(concat.data.subarray((b * tokens + textTokens) * width, (b + 1) * tokens * width), b * ipCount * width);
        }
        const out = await session.run({
          sample: floatTensor(golden(latent)),
          timestep: floatTensor(golden('timestep')),
          encoder_hidden_states: floatTensor({ data: text, shape: [batch, textTokens, width] }),
          ip_tokens: floatTensor({ data: ipTokens, shape: [batch, ipCount, width] }),
          ip_scale: filled(layers, ipScale),
          lora_strengths: filled(loraCount, loraStrength),
        });
        return out['out_sample']!.data as Float32Array;
      };
      const scaleNames = [...ipGolden.tensors.keys()].filter((n) => n.startsWith('out_scale_'));
      for (const name of scaleNames) {
        const scale = Number(name.slice('out_scale_'.length));
        const out = await run('latent', 'encoder_hidden_states_concat', ip, scale, 0);
        ctx.check(`${label}/ip scale ${scale}`, out, ip(name).data, tolerance ?? 'unet');
        if (scale === 0) ctx.check(`${label}/ip scale 0 equals plain`, out, plainOut['out_sample']!.data as Float32Array, tolerance ?? 'unet');
      }
      for (const name of [...loraGolden.tensors.keys()].filter((n) => n.startsWith('out_lora_'))) {
        const strength = Number(name.slice('out_lora_'.length));
        const out = await run('latent', 'encoder_hidden_states_concat', lora, 1, strength);
        ctx.check(`${label}/FaceID LoRA ${strength} (ip 1)`, out, lora(name).data, tolerance ?? 'unet');
      }
    }
  },
};
