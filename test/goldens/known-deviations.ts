// Golden lines that no implementation can meet on the shared fixtures, with the evidence. They stay FAIL in
// `npm run goldens` (the tolerance is not touched); `npm test` reports them as TODO so that it tracks them without
// letting any other failure through.
//
// The fp16 checkpoint copy against the fp32 goldens (tolerance 1e-2, fixtures README §3): an fp32 file holding exactly
// the fp16-rounded weights gives bit-identical outputs to our fp16 graphs (src-main/engine/models/fp16-weights.test.ts),
// so the error is the weights' rounding, as diffusers would see it too. In the UNet, the 8×8 golden latent reaches
// down_blocks.3 and the mid-block at 1×1 pixels, where each GroupNorm group holds 2 values and acts as a soft sign with
// gain up to 1/√ε; which groups flip depends on the inputs (README "Compiling models" → Goldens has the numbers).
export const KNOWN_DEVIATIONS: ReadonlyMap<string, string> = new Map([
  ['unet/fp16/plain@t=1', 'fp16 weight rounding amplified by 2-value GroupNorm groups at 1×1 (measured 1.59e-2)'],
  ['unet/fp16/faceid_lora=0.6@ip_scale=1', 'fp16 weight rounding amplified by 2-value GroupNorm groups at 1×1 (measured 8.03e-2)'],
  ['vae/fp16/decode', 'fp16 weight rounding grows evenly through the decoder (measured 1.35e-2; fp32 weights nudged by 1±2^-12 give 0.8–1.1e-2)'],
]);
