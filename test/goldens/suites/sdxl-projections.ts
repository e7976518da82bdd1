// SDXL FaceID projections (sdxl/goldens/sdxl_projections): FaceID, PlusV2 at every golden structure weight and
// without shortcut, Portrait with several references, uncond tokens, from the SDXL .bin files and their
// .safetensors twins; the FaceID tokens also equal those the SDXL FaceID pipeline golden recorded.
import path from 'node:path';
import { sdxlFolder } from '../compiled-fixtures.ts';
import type { GoldenSuite } from '../golden-suite.ts';
import { runProjectionGoldens } from './projections.ts';

export const suite: GoldenSuite = {
  name: 'sdxl-projections',
  async run(ctx) {
    const sdxl = sdxlFolder(ctx.fixtures);
    if (!sdxl) return;
    await runProjectionGoldens(ctx, {
      goldens: path.join(sdxl, 'goldens', 'sdxl_projections.safetensors'),
      adapterFolder: path.join(sdxl, 'ipadapter-sdxl-tiny'),
      pipelineGolden: path.join(sdxl, 'goldens', 'pipe_sdxl_txt2img_faceid.safetensors'),
    });
  },
};
