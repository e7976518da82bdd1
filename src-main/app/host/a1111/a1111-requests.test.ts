import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseParams, faceIdUnit, hiresParams, Img2ImgRequestSchema, Txt2ImgRequestSchema, unitImage } from './a1111-requests.ts';

test('an empty txt2img body gets models.py / processing.py defaults; batch_size × n_iter images', () => {
  const request = Txt2ImgRequestSchema.parse({ batch_size: 2, n_iter: 3 });
  const { params, problems } = baseParams(request, 5, 1);
  assert.deepEqual(problems, []);
  assert.deepEqual(params, { prompt: '', negativePrompt: '', seed: 5, steps: 50, cfg: 7, sampler: 'Euler', width: 512, height: 512, batchSize: 6, clipSkip: 1 });
});

test('sampler_name + scheduler as A1111 1.9+ takes them, and the pre-1.9 combined names', () => {
  const sampler = (body: Record<string, unknown>) => baseParams(Txt2ImgRequestSchema.parse(body), 1, 1);
  assert.equal(sampler({ sampler_name: 'DPM++ 2M' }).params.sampler, 'DPM++ 2M Karras', 'Automatic is Karras for DPM++ 2M');
  assert.equal(sampler({ sampler_name: 'DPM++ 2M', scheduler: 'Uniform' }).params.sampler, 'DPM++ 2M');
  assert.equal(sampler({ sampler_index: 'DPM++ 2M Karras' }).params.sampler, 'DPM++ 2M Karras');
  assert.equal(sampler({ sampler_name: 'PLMS' }).params.sampler, 'PNDM');
  assert.match(sampler({ sampler_name: 'Euler', scheduler: 'Karras' }).problems[0]!, /sampler "Euler" with schedule "Karras" is not available; use one of DDIM, Euler, Euler a, DPM\+\+ 2M, LCM, PLMS/u);
});

test('the FaceID unit among sd-webui-controlnet units: enabled ip-adapter_face_id modules only, image with or without data: prefix', () => {
  const request = Txt2ImgRequestSchema.parse({
    alwayson_scripts: {
      controlnet: {
        args: [
          { enabled: true, module: 'canny', model: 'control_canny', image: 'AAAA' },
          { enabled: false, module: 'ip-adapter_face_id_plus', model: 'x', image: 'BBBB' },
          { module: 'ip-adapter_face_id_plus', model: 'ip-adapter-faceid-plusv2_sd15 [6e14fc1a]', weight: 0.7, image: 'data:image/png;base64,CCCC' },
        ],
      },
    },
  });
  const unit = faceIdUnit(request);
  assert.equal(unit?.weight, 0.7);
  assert.equal(unitImage(unit!), 'CCCC');
  assert.equal(faceIdUnit(Txt2ImgRequestSchema.parse({})), undefined);
});

test('img2img needs an init image; denoising_strength and mask_blur default as A1111', () => {
  assert.equal(Img2ImgRequestSchema.safeParse({ prompt: 'x' }).success, false);
  const request = Img2ImgRequestSchema.parse({ init_images: ['AAAA'] });
  assert.deepEqual([request.denoising_strength, request.mask_blur], [0.75, 4]);
});

test('hires fix fields: off unless enable_hr; A1111\'s defaults (×2, Latent, 0 steps, denoise 0.7); a target size as a scale', () => {
  const hires = (body: Record<string, unknown>) => hiresParams(Txt2ImgRequestSchema.parse({ width: 512, height: 768, ...body }));
  assert.deepEqual(hires({ hr_scale: 3 }), { problems: [] });
  assert.deepEqual(hires({ enable_hr: true }), { hires: { scale: 2, steps: 0, denoise: 0.7, upscaler: 'Latent' }, problems: [] });
  assert.deepEqual(hires({ enable_hr: true, hr_resize_x: 768, denoising_strength: 0.4, hr_second_pass_steps: 10 }).hires, { scale: 1.5, steps: 10, denoise: 0.4, upscaler: 'Latent' });
  assert.deepEqual(hires({ enable_hr: true, hr_resize_x: 1024, hr_resize_y: 1536 }).hires?.scale, 2);
  assert.match(hires({ enable_hr: true, hr_resize_x: 1024, hr_resize_y: 1024 }).problems[0]!, /changes the aspect ratio/u);
});
