// SDXL UNet graphs against sdxl/goldens/sdxl_unet (plain, with pooled text_embeds and time_ids, at the golden's t and
// at t = 1), sdxl_unet_ip (FaceID tokens at each golden ip scale; 0 must equal plain) and sdxl_unet_lora (the FaceID
// LoRA of the .bin at each golden strength), from the diffusers folder and the single file; then the same LoRA from
// the kohya-named .safetensors files. Scales and strengths are read from the golden tensor names.
import path from 'node:path';
import { UNET_INPUTS, UNET_OUTPUT } from '../../../src-main/engine/models/unet.ts';
import { compiledSdxlFixture, filled, floatTensor, SDXL_SOURCES, sdxlFolder, sessionFor, splitTextAndIp } from '../compiled-fixtures.ts';
import { loadGoldenTensors, type GoldenSuite } from '../golden-suite.ts';

const ADAPTER = path.join('ipadapter-sdxl-tiny', 'ip-adapter-faceid_sdxl_tiny.bin');
const KOHYA_LORAS = [path.join('ipadapter-sdxl-tiny', 'ip-adapter-faceid_sdxl_tiny_lora.safetensors'), path.join('ipadapter-sdxl-tiny', 'ip-adapter-faceid_sdxl_tiny_lora_with_alpha.safetensors')];

type Golden = (name: string) => { data: Float32Array; shape: readonly number[] };

async function golden(sdxl: string, stem: string): Promise<{ get: Golden; names: string[] }> {
  const { tensors } = await loadGoldenTensors(path.join(sdxl, 'goldens', `${stem}.safetensors`));
  return { get: (name) => tensors.get(name)!, names: [...tensors.keys()] };
}

/** The added (SDXL) conditioning inputs of a golden. */
const addedInputs = (g: Golden) => ({ [UNET_INPUTS.textEmbeds]: floatTensor(g('text_embeds')), [UNET_INPUTS.timeIds]: floatTensor(g('time_ids')) });

export const suite: GoldenSuite = {
  name: 'sdxl-unet',
  async run(ctx) {
    const sdxl = sdxlFolder(ctx.fixtures);
    if (!sdxl) return;
    const plain = await golden(sdxl, 'sdxl_unet');
    const ip = await golden(sdxl, 'sdxl_unet_ip');
    const lora = await golden(sdxl, 'sdxl_unet_lora');
    const p = plain.get;
    const textTokens = p('encoder_hidden_states').shape[1]!;
    for (const source of SDXL_SOURCES) {
      const plainSession = await sessionFor((await compiledSdxlFixture(sdxl, source)).unet.path);
      const runPlain = async (timestep: { data: Float32Array; shape: readonly number[] }) =>
        (await plainSession.run({ sample: floatTensor(p('latent')), timestep: floatTensor(timestep), encoder_hidden_states: floatTensor(p('encoder_hidden_states')), ...addedInputs(p) }))[UNET_OUTPUT]!.data as Float32Array;
      const plainOut = await runPlain(p('timestep'));
      ctx.check(`${source}/plain@t=${p('timestep').data[0]}`, plainOut, p('out').data, 'unet');
      ctx.check(`${source}/plain@t=1`, await runPlain({ data: Float32Array.of(1), shape: [1] }), p('out_t1').data, 'unet');

      const withAdapter = await compiledSdxlFixture(sdxl, source, ADAPTER);
      const session = await sessionFor(withAdapter.unet.path);
      const run = async (g: Golden, ipScale: number, loraStrength: number) => {
        const { text, ipTokens } = splitTextAndIp(g('encoder_hidden_states_concat'), textTokens);
        const out = await session.run({
          sample: floatTensor(g('latent')),
          timestep: floatTensor(g('timestep')),
          encoder_hidden_states: text,
          ...addedInputs(g),
          ip_tokens: ipTokens,
          ip_scale: filled(withAdapter.unet.crossAttentionLayers, ipScale),
          lora_strengths: filled(withAdapter.loras.length, loraStrength),
        });
        return out[UNET_OUTPUT]!.data as Float32Array;
      };
      for (const name of ip.names.filter((n) => n.startsWith('out_scale_'))) {
        const scale = Number(name.slice('out_scale_'.length));
        const out = await run(ip.get, scale, 0);
        ctx.check(`${source}/ip_scale=${scale}`, out, ip.get(name).data, 'unet');
        if (scale === 0) ctx.check(`${source}/ip_scale=0_equals_plain`, out, plainOut, 'unet');
      }
      for (const name of lora.names.filter((n) => n.startsWith('out_lora_'))) {
        const strength = Number(name.slice('out_lora_'.length));
        ctx.check(`${source}/faceid_lora=${strength}@ip_scale=1`, await run(lora.get, 1, strength), lora.get(name).data, 'unet');
      }
    }

    // The same LoRA from the kohya-named files (no alpha / alpha = rank), the .bin's own LoRA at 0.
    const kohya = await compiledSdxlFixture(sdxl, 'diffusers', ADAPTER, KOHYA_LORAS);
    const session = await sessionFor(kohya.unet.path);
    const { text, ipTokens } = splitTextAndIp(lora.get('encoder_hidden_states_concat'), textTokens);
    for (const name of lora.names.filter((n) => n.startsWith('out_lora_'))) {
      const strength = Number(name.slice('out_lora_'.length));
      for (const file of KOHYA_LORAS) {
        const strengths = new Float32Array(kohya.loras.length);
        strengths[kohya.loras.findIndex((l) => l.file.endsWith(path.basename(file)))] = strength;
        const out = await session.run({
          sample: floatTensor(lora.get('latent')),
          timestep: floatTensor(lora.get('timestep')),
          encoder_hidden_states: text,
          ...addedInputs(lora.get),
          ip_tokens: ipTokens,
          ip_scale: filled(kohya.unet.crossAttentionLayers, 1),
          lora_strengths: floatTensor({ data: strengths, shape: [strengths.length] }),
        });
        ctx.check(`diffusers/${path.basename(file, '.safetensors')}=${strength}@ip_scale=1`, out[UNET_OUTPUT]!.data as Float32Array, lora.get(name).data, 'unet');
      }
    }
  },
};
