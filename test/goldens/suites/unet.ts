// UNet graphs against goldens/unet (plain), unet_ip (FaceID tokens at each golden ip scale) and unet_lora (FaceID
// LoRA at each golden strength), from each checkpoint form (the fp16 copy against their `_fp16w` twins); ip scale 0
// (and LoRA 0) must equal the plain UNet.
// Scales and strengths are read from the golden tensor names, never assumed.
import path from 'node:path';
import { compiledFixture, filled, FIXTURE_SOURCES, floatTensor, goldenFile, KOHYA_FACEID_LORAS, ldmNamedFaceIdLora, sessionFor, splitTextAndIp } from '../compiled-fixtures.ts';
import { loadGoldenTensors, type GoldenSuite } from '../golden-suite.ts';

export const suite: GoldenSuite = {
  name: 'unet',
  async run(ctx) {
    type Tensors = Awaited<ReturnType<typeof loadGoldenTensors>>['tensors'];
    type Golden = (name: string) => { data: Float32Array; shape: readonly number[] };
    const getter = (tensors: Tensors): Golden => (name) => tensors.get(name)!;
    for (const { source, label, goldenSuffix } of FIXTURE_SOURCES) {
      const plainGolden = await loadGoldenTensors(goldenFile(ctx.fixtures, 'unet', goldenSuffix));
      const ipGolden = await loadGoldenTensors(goldenFile(ctx.fixtures, 'unet_ip', goldenSuffix));
      const loraGolden = await loadGoldenTensors(goldenFile(ctx.fixtures, 'unet_lora', goldenSuffix));
      const p = getter(plainGolden.tensors);
      const ip = getter(ipGolden.tensors);
      const lora = getter(loraGolden.tensors);
      const plain = await compiledFixture(ctx.fixtures, source, false);
      const plainSession = await sessionFor(plain.unet.path);
      const plainOut = await plainSession.run({ sample: floatTensor(p('latent')), timestep: floatTensor(p('timestep')), encoder_hidden_states: floatTensor(p('encoder_hidden_states')) });
      ctx.check(`${label}/plain@t=${p('timestep').data[0]}`, plainOut['out_sample']!.data as Float32Array, p('out').data, 'unet');
      const atOne = await plainSession.run({ sample: floatTensor(p('latent')), timestep: floatTensor({ data: Float32Array.of(1), shape: [1] }), encoder_hidden_states: floatTensor(p('encoder_hidden_states')) });
      ctx.check(`${label}/plain@t=1`, atOne['out_sample']!.data as Float32Array, p('out_t1').data, 'unet');

      const withAdapter = await compiledFixture(ctx.fixtures, source, true);
      const session = await sessionFor(withAdapter.unet.path);
      const layers = withAdapter.unet.crossAttentionLayers;
      const loraCount = withAdapter.loras.length;
      const textTokens = p('encoder_hidden_states').shape[1]!;
      const run = async (golden: Golden, ipScale: number, loraStrength: number) => {
        const { text, ipTokens } = splitTextAndIp(golden('encoder_hidden_states_concat'), textTokens);
        const out = await session.run({
          sample: floatTensor(golden('latent')),
          timestep: floatTensor(golden('timestep')),
          encoder_hidden_states: text,
          ip_tokens: ipTokens,
          ip_scale: filled(layers, ipScale),
          lora_strengths: filled(loraCount, loraStrength),
        });
        return out['out_sample']!.data as Float32Array;
      };
      const scaleNames = [...ipGolden.tensors.keys()].filter((n) => n.startsWith('out_scale_'));
      for (const name of scaleNames) {
        const scale = Number(name.slice('out_scale_'.length));
        const out = await run(ip, scale, 0);
        ctx.check(`${label}/ip_scale=${scale}`, out, ip(name).data, 'unet');
        if (scale === 0) ctx.check(`${label}/ip_scale=0_equals_plain`, out, plainOut['out_sample']!.data as Float32Array, 'unet');
      }
      for (const name of [...loraGolden.tensors.keys()].filter((n) => n.startsWith('out_lora_'))) {
        const strength = Number(name.slice('out_lora_'.length));
        const out = await run(lora, 1, strength);
        ctx.check(`${label}/faceid_lora=${strength}@ip_scale=1`, out, lora(name).data, 'unet');
      }
    }

    // The same LoRA from the kohya-named .safetensors files (no alpha / alpha = rank, and renamed to A1111's
    // original-LDM module names), the .bin's own LoRA at 0.
    const kohyaFiles = [...KOHYA_FACEID_LORAS, await ldmNamedFaceIdLora(ctx.fixtures)];
    const loraGolden = await loadGoldenTensors(goldenFile(ctx.fixtures, 'unet_lora', ''));
    const lora = getter(loraGolden.tensors);
    const plainText = (await loadGoldenTensors(goldenFile(ctx.fixtures, 'unet', ''))).tensors.get('encoder_hidden_states')!;
    const kohya = await compiledFixture(ctx.fixtures, 'diffusers', true, kohyaFiles);
    const session = await sessionFor(kohya.unet.path);
    const { text, ipTokens } = splitTextAndIp(lora('encoder_hidden_states_concat'), plainText.shape[1]!);
    for (const name of [...loraGolden.tensors.keys()].filter((n) => n.startsWith('out_lora_'))) {
      const strength = Number(name.slice('out_lora_'.length));
      for (const file of kohyaFiles) {
        const strengths = new Float32Array(kohya.loras.length);
        strengths[kohya.loras.findIndex((l) => l.file.endsWith(path.basename(file)))] = strength;
        const out = await session.run({
          sample: floatTensor(lora('latent')),
          timestep: floatTensor(lora('timestep')),
          encoder_hidden_states: text,
          ip_tokens: ipTokens,
          ip_scale: filled(kohya.unet.crossAttentionLayers, 1),
          lora_strengths: floatTensor({ data: strengths, shape: [strengths.length] }),
        });
        ctx.check(`diffusers/${path.basename(file, '.safetensors')}=${strength}@ip_scale=1`, out['out_sample']!.data as Float32Array, lora(name).data, 'unet');
      }
    }
  },
};
