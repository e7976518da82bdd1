// The A1111-compatible API on a real studio host generating on the tiny fixture model (engine in a worker thread):
// Open WebUI's calls exactly as its A1111 client makes them (backend/open_webui/routers/images.py: GET options for
// the model, POST txt2img with {prompt, batch_size, width, height, steps, negative_prompt} and an `authorization:
// Basic …` header), img2img with a mask, the token refusing strangers, and interrupt stopping a running job.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { composeStudio, rendererFolder, type Studio } from '../../src-main/app/compose.ts';
import { readEnvironment } from '../../src-main/app/environment.ts';
import { workerThreadGeneration } from '../../src-main/app/host-generation.ts';
import { A1111Api } from '../../src-main/app/host/a1111/a1111-api.ts';
import { startStudioHost, type StudioHost } from '../../src-main/app/host/studio-host.ts';
import type { Generation } from '../../src-preload/contract/generations.ts';
import { fixture } from '../helpers/fixtures.ts';
import { waitUntil } from '../helpers/wait-until.ts';

let studio: Studio;
let host: StudioHost;
let a1111: A1111Api;
/** Open WebUI's AUTOMATIC1111_API_AUTH is "user:password"; it sends `Basic base64(that)`. */
let openWebUiAuth: string;
const folder = mkdtempSync(path.join(os.tmpdir(), 'faceid-a1111-'));

before(async () => {
  const models = path.join(folder, 'models');
  mkdirSync(models);
  symlinkSync(fixture('sd15-tiny'), path.join(models, 'sd15-tiny'));
  const env = { ...process.env, FACEID_FACE_MODELS: fixture('face', 'models'), FACEID_COMPILED_DIR: path.join(folder, 'compiled') };
  studio = composeStudio({ libraryFolder: path.join(folder, 'library'), generation: workerThreadGeneration(readEnvironment(env)) });
  assert.ok((await studio.dispatch('settings.update', { modelFolders: [models] })).ok);
  a1111 = new A1111Api({ dispatch: studio.dispatch, events: studio.events, libraryFolder: studio.library.folder });
  host = await startStudioHost({ dispatch: studio.dispatch, events: studio.events, libraryFolder: studio.library.folder, rendererFolder, a1111 });
  openWebUiAuth = `Basic ${Buffer.from(`openwebui:${host.token}`).toString('base64')}`;
});

after(async () => {
  await host.close();
  a1111.dispose();
  await studio.stop();
  rmSync(folder, { recursive: true, force: true });
});

async function call(method: 'GET' | 'POST', route: string, body?: unknown, authorization: string | null = openWebUiAuth): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${host.origin}/sdapi/v1/${route}`, {
    method,
    headers: { ...(authorization === null ? {} : { authorization }), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function decoded(base64: unknown): Promise<{ width?: number; height?: number; format?: string }> {
  assert.equal(typeof base64, 'string');
  return sharp(Buffer.from(base64 as string, 'base64')).metadata();
}

test('without the token, or with a wrong Basic password, every /sdapi/v1 route answers 401', async () => {
  const wrong = `Basic ${Buffer.from('openwebui:not-the-token').toString('base64')}`;
  for (const authorization of [null, wrong]) {
    assert.equal((await call('GET', 'options', undefined, authorization)).status, 401);
    assert.equal((await call('POST', 'txt2img', { prompt: 'x' }, authorization)).status, 401);
    assert.equal((await call('POST', 'interrupt', {}, authorization)).status, 401);
  }
  assert.equal((await call('GET', 'options', undefined, `Bearer ${host.token}`)).status, 200, 'the host\'s own Bearer token works too');
});

test('Open WebUI: options name the checkpoint, txt2img answers a decodable PNG with parameters and info, and the job is in the gallery', async () => {
  const options = await call('GET', 'options');
  assert.equal(options.status, 200);
  assert.equal(options.json.sd_model_checkpoint, 'sd15-tiny');
  const models = await call('GET', 'sd-models');
  assert.deepEqual((models.json as unknown as { title: string; model_name: string }[]).map((m) => [m.title, m.model_name]), [['sd15-tiny', 'sd15-tiny']]);
  // set_image_model: options read, the checkpoint set to a title from sd-models, all options posted back.
  assert.equal((await call('POST', 'options', { ...options.json, sd_model_checkpoint: 'sd15-tiny' })).status, 200);

  const data = { prompt: 'a lighthouse at dusk', batch_size: 1, width: 64, height: 64, steps: 4, negative_prompt: 'fog' };
  const reply = await call('POST', 'txt2img', data);
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
  const images = reply.json.images as string[];
  assert.equal(images.length, 1);
  assert.deepEqual(await decoded(images[0]).then((m) => [m.format, m.width, m.height]), ['png', 64, 64]);
  assert.equal((reply.json.parameters as { prompt: string }).prompt, data.prompt);
  const info = JSON.parse(reply.json.info as string) as { seed: number; all_seeds: number[]; sampler_name: string; infotexts: string[]; sd_model_name: string };
  assert.ok(info.seed >= 0, 'seed -1 became a real seed');
  assert.equal(info.sampler_name, 'Euler', 'models.py default sampler_index');
  assert.equal(info.sd_model_name, 'sd15-tiny');
  assert.match(info.infotexts[0]!, new RegExp(`^a lighthouse at dusk\\nNegative prompt: fog\\nSteps: 4, Sampler: Euler, .*Seed: ${info.seed}, Size: 64x64`, 'u'));

  const gallery = await studio.dispatch('generations.list', {});
  assert.ok(gallery.ok);
  const made = (gallery.value as { generations: Generation[] }).generations.find((g) => g.seed === info.seed);
  assert.ok(made !== undefined, 'the API image is a generation in the gallery');
  assert.equal(made.params.prompt, data.prompt);
});

test('img2img with init_images, denoising_strength and a mask answers an image; the generation records both', async () => {
  const init = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#3366aa' } }).png().toBuffer();
  const mask = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ffffff' } }).png().toBuffer();
  const reply = await call('POST', 'img2img', { prompt: 'a blue door', init_images: [`data:image/png;base64,${init.toString('base64')}`], mask: mask.toString('base64'), denoising_strength: 0.5, steps: 4, width: 64, height: 64, seed: 5, sampler_name: 'DPM++ 2M', scheduler: 'Karras' });
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
  assert.deepEqual(await decoded((reply.json.images as string[])[0]).then((m) => [m.width, m.height]), [64, 64]);
  const gallery = await studio.dispatch('generations.list', {});
  assert.ok(gallery.ok);
  const made = (gallery.value as { generations: Generation[] }).generations.find((g) => g.seed === 5);
  assert.equal(made?.params.img2img?.strength, 0.5);
  assert.equal(made?.params.sampler, 'DPM++ 2M Karras');
  assert.ok(made?.params.inpaint !== undefined);

  const refused = await call('POST', 'txt2img', { prompt: 'x', sampler_name: 'Heun', steps: 2, width: 64, height: 64 });
  assert.equal(refused.status, 422);
  assert.match(String(refused.json.detail), /sampler "Heun" is not available/u);
});

test('txt2img with enable_hr: the picture at the hires size, the hires keys in its infotext, an unknown upscaler named back', async () => {
  const reply = await call('POST', 'txt2img', { prompt: 'a harbour', width: 64, height: 64, steps: 2, seed: 21, enable_hr: true, hr_scale: 1.5, hr_upscaler: 'Latent (bicubic)', hr_second_pass_steps: 1, denoising_strength: 0.6 });
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
  assert.deepEqual(await decoded((reply.json.images as string[])[0]).then((m) => [m.width, m.height]), [96, 96]);
  const info = JSON.parse(reply.json.info as string) as { infotexts: string[]; denoising_strength: number };
  assert.equal(info.denoising_strength, 0.6);
  assert.match(info.infotexts[0]!, /Size: 64x64, .*Denoising strength: 0\.6, .*Hires upscale: 1\.5, Hires steps: 1, Hires upscaler: Latent \(bicubic\)/u);
  const refused = await call('POST', 'txt2img', { prompt: 'x', width: 64, height: 64, steps: 2, enable_hr: true, hr_upscaler: 'R-ESRGAN 4x+' });
  assert.equal(refused.status, 422);
  assert.match(String(refused.json.detail), /hr_upscaler "R-ESRGAN 4x\+" is not available; use one of Latent, /u);
});

test('interrupt stops the running txt2img, which answers with what it finished; progress reports the steps meanwhile', async () => {
  const pending = call('POST', 'txt2img', { prompt: 'a long one', steps: 150, width: 64, height: 64, seed: 11 });
  const running = await waitUntil(
    async () => {
      const progress = await call('GET', 'progress');
      const state = progress.json.state as { sampling_step: number; sampling_steps: number };
      return state.sampling_step > 0 ? progress.json : undefined;
    },
    { what: 'the long job to start sampling', timeoutMs: 60_000 },
  );
  assert.equal((running.state as { sampling_steps: number }).sampling_steps, 150);
  assert.ok((running.progress as number) > 0 && (running.progress as number) < 1);
  assert.equal((await call('POST', 'interrupt', {})).status, 200);
  const reply = await pending;
  assert.equal(reply.status, 200);
  assert.deepEqual(reply.json.images, []);
  assert.equal((JSON.parse(reply.json.info as string) as { interrupted: boolean }).interrupted, true);
  const jobs = await studio.dispatch('jobs.list', { states: ['cancelled'] });
  assert.ok(jobs.ok && (jobs.value as { jobs: { params: { seed: number } }[] }).jobs.some((j) => j.params.seed === 11));
});
