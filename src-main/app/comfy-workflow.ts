// A generation as ComfyUI workflows that make it again with stock ComfyUI and cubiq/ComfyUI_IPAdapter_plus nodes:
// the API-format `prompt` (what /prompt takes and SaveImage stores in PNGs) and the UI `workflow` (litegraph JSON
// the editor opens), both built from one node list. Node classes and input names are those of ComfyUI nodes.py /
// comfy_extras/nodes_mask.py and ComfyUI_IPAdapter_plus IPAdapterPlus.py (test/comfy/comfy-workflow.test.ts holds
// them with their source files). What ComfyUI cannot do the same way is said in `notes`.
import path from 'node:path';
import { COMFY_FACEID_PRESETS, COMFY_SAMPLERS } from '../../src-preload/contract/comfy-names.ts';
import type { FaceIdVariant, GenerationParams } from '../../src-preload/contract/generation.ts';
import { promptLoras, stripExtraNetworks } from '../engine/text/extra-networks.ts';

type ComfyInputValue = string | number | boolean | readonly [string, number];

/** One node of the API format: `{ class_type, inputs }`, a link being `[node id, output slot]`. */
interface ComfyApiNode {
  readonly class_type: string;
  readonly inputs: Readonly<Record<string, ComfyInputValue>>;
}

interface ComfyExport {
  readonly prompt: Readonly<Record<string, ComfyApiNode>>;
  readonly workflow: ComfyUiWorkflow;
  /** Where the ComfyUI graph cannot reproduce the generation exactly, in words for the user. */
  readonly notes: string[];
}

interface UiNode {
  id: number;
  type: string;
  pos: [number, number];
  size: [number, number];
  flags: Record<string, never>;
  order: number;
  mode: 0;
  inputs: { name: string; type: string; link: number }[];
  outputs: { name: string; type: string; links: number[]; slot_index: number }[];
  properties: { 'Node name for S&R': string };
  widgets_values: (string | number | boolean)[];
}

type ComfyUiWorkflow = {
  last_node_id: number;
  last_link_id: number;
  nodes: UiNode[];
  /** [link id, from node, from slot, to node, to slot, type] */
  links: [number, number, number, number, number, string][];
  groups: [];
  config: Record<string, never>;
  extra: Record<string, never>;
  version: 0.4;
};

type Output = readonly [number, number];

interface GraphNode {
  readonly id: number;
  readonly type: string;
  readonly links: readonly { name: string; type: string; from: Output }[];
  readonly widgets: readonly [string, string | number | boolean][];
  readonly outputs: readonly { name: string; type: string }[];
}

/** What the export needs besides the parameters: file names as ComfyUI's input folder will hold them. */
interface ComfyExportInputs {
  readonly seed: number;
  readonly variant?: FaceIdVariant;
  /** Reference photo file names (copied into ComfyUI/input); the first is used. */
  readonly facePhotos?: readonly string[];
}

class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  add(type: string, widgets: GraphNode['widgets'], links: GraphNode['links'], outputs: GraphNode['outputs']): number {
    const id = this.nodes.length + 1;
    this.nodes.push({ id, type, widgets, links, outputs });
    return id;
  }
}

/** Extra UI-only widgets litegraph keeps in widgets_values (KSampler's "control after generate", LoadImage's upload). */
function uiWidgets(node: GraphNode): (string | number | boolean)[] {
  const values = node.widgets.map(([, value]) => value);
  if (node.type === 'KSampler') values.splice(1, 0, 'fixed');
  if (node.type === 'LoadImage') values.push('image');
  return values;
}

function toUi(nodes: readonly GraphNode[]): ComfyUiWorkflow {
  const links: ComfyUiWorkflow['links'] = [];
  const ui: UiNode[] = nodes.map((node, order) => ({
    id: node.id,
    type: node.type,
    pos: [100 + (order % 4) * 360, 100 + Math.floor(order / 4) * 320],
    size: [320, 120 + 26 * node.widgets.length],
    flags: {},
    order,
    mode: 0,
    inputs: [],
    outputs: node.outputs.map((o, slot) => ({ ...o, links: [], slot_index: slot })),
    properties: { 'Node name for S&R': node.type },
    widgets_values: uiWidgets(node),
  }));
  for (const node of nodes) {
    node.links.forEach((link, targetSlot) => {
      const id = links.length + 1;
      links.push([id, link.from[0], link.from[1], node.id, targetSlot, link.type]);
      ui[node.id - 1]!.inputs.push({ name: link.name, type: link.type, link: id });
      ui[link.from[0] - 1]!.outputs[link.from[1]]!.links.push(id);
    });
  }
  return { last_node_id: nodes.length, last_link_id: links.length, nodes: ui, links, groups: [], config: {}, extra: {}, version: 0.4 };
}

function toApi(nodes: readonly GraphNode[]): Record<string, ComfyApiNode> {
  return Object.fromEntries(
    nodes.map((node) => [
      String(node.id),
      { class_type: node.type, inputs: { ...Object.fromEntries(node.widgets), ...Object.fromEntries(node.links.map((l) => [l.name, [String(l.from[0]), l.from[1]] as const])) } },
    ]),
  );
}

/** ComfyUI lists files by name relative to its model folder; a file of ours goes there under its own name. */
const fileName = (file: string): string => path.basename(file);

/**
 * The ComfyUI graph of one image of a generation: checkpoint → (clip skip) → LoRAs → FaceID → KSampler → VAE decode
 * → save, with img2img / inpaint as VAE encode and a noise mask.
 *
 * @example comfyWorkflow(generation.params, { seed: generation.seed, variant: 'faceid-plusv2', facePhotos: ['ada.jpg'] })
 */
export function comfyWorkflow(params: GenerationParams, inputs: ComfyExportInputs): ComfyExport {
  const notes: string[] = [];
  const graph = new GraphBuilder();
  const checkpoint = graph.add('CheckpointLoaderSimple', [['ckpt_name', fileName(params.model)]], [], [{ name: 'MODEL', type: 'MODEL' }, { name: 'CLIP', type: 'CLIP' }, { name: 'VAE', type: 'VAE' }]);
  if (!/\.(safetensors|ckpt|sft)$/iu.test(params.model)) notes.push(`${fileName(params.model)} is a diffusers folder; CheckpointLoaderSimple needs it as one .safetensors file.`);
  let model: Output = [checkpoint, 0];
  let clip: Output = [checkpoint, 1];
  if (params.clipSkip > 1) clip = [graph.add('CLIPSetLastLayer', [['stop_at_clip_layer', -params.clipSkip]], [{ name: 'clip', type: 'CLIP', from: clip }], [{ name: 'CLIP', type: 'CLIP' }]), 0];

  // Our LoRAs and the prompt's <lora:…> tags (ComfyUI's text encoder would read a tag as words).
  const loras = [...params.loras.map((l) => ({ name: fileName(l.file), strength: l.strength })), ...promptLoras(params.prompt).map((t) => ({ name: `${t.name}.safetensors`, strength: t.weight }))];
  for (const lora of loras) {
    const id = graph.add(
      'LoraLoader',
      [['lora_name', lora.name], ['strength_model', lora.strength], ['strength_clip', lora.strength]],
      [{ name: 'model', type: 'MODEL', from: model }, { name: 'clip', type: 'CLIP', from: clip }],
      [{ name: 'MODEL', type: 'MODEL' }, { name: 'CLIP', type: 'CLIP' }],
    );
    model = [id, 0];
    clip = [id, 1];
  }

  if (params.faceid !== undefined) {
    const variant = inputs.variant ?? 'faceid';
    const loader = graph.add(
      'IPAdapterUnifiedLoaderFaceID',
      [['preset', COMFY_FACEID_PRESETS[variant]], ['lora_strength', params.faceid.loraWeight], ['provider', 'CPU']],
      [{ name: 'model', type: 'MODEL', from: model }],
      [{ name: 'MODEL', type: 'MODEL' }, { name: 'ipadapter', type: 'IPADAPTER' }],
    );
    const photo = inputs.facePhotos?.[0];
    if (photo === undefined) notes.push('No reference photo was found for the face; choose one in the LoadImage node.');
    if ((inputs.facePhotos?.length ?? 0) > 1) notes.push(`The face came from ${inputs.facePhotos!.length} reference photos; the workflow loads the first (batch the others with ImageBatch).`);
    const image = graph.add('LoadImage', [['image', photo ?? 'face.png']], [], [{ name: 'IMAGE', type: 'IMAGE' }, { name: 'MASK', type: 'MASK' }]);
    const faceid = graph.add(
      'IPAdapterFaceID',
      [
        ['weight', params.faceid.faceWeight],
        ['weight_faceidv2', params.faceid.structure],
        ['weight_type', 'linear'],
        ['combine_embeds', params.faceid.combine === 'concatenate' ? 'concat' : 'average'],
        ['start_at', 0],
        ['end_at', 1],
        ['embeds_scaling', 'V only'],
      ],
      [{ name: 'model', type: 'MODEL', from: [loader, 0] }, { name: 'ipadapter', type: 'IPADAPTER', from: [loader, 1] }, { name: 'image', type: 'IMAGE', from: [image, 0] }],
      [{ name: 'MODEL', type: 'MODEL' }, { name: 'face_image', type: 'IMAGE' }],
    );
    model = [faceid, 0];
  }

  // Trailing whitespace a removed tag leaves is dropped, so the text reads back as the prompt it came from.
  const text = (prompt: string) => graph.add('CLIPTextEncode', [['text', stripExtraNetworks(prompt).trimEnd()]], [{ name: 'clip', type: 'CLIP', from: clip }], [{ name: 'CONDITIONING', type: 'CONDITIONING' }]);
  const positive = text(params.prompt);
  const negative = text(params.negativePrompt);

  let latent: Output;
  if (params.img2img === undefined) {
    latent = [graph.add('EmptyLatentImage', [['width', params.width], ['height', params.height], ['batch_size', 1]], [], [{ name: 'LATENT', type: 'LATENT' }]), 0];
  } else {
    const init = graph.add('LoadImage', [['image', fileName(params.img2img.initImage)]], [], [{ name: 'IMAGE', type: 'IMAGE' }, { name: 'MASK', type: 'MASK' }]);
    latent = [graph.add('VAEEncode', [], [{ name: 'pixels', type: 'IMAGE', from: [init, 0] }, { name: 'vae', type: 'VAE', from: [checkpoint, 2] }], [{ name: 'LATENT', type: 'LATENT' }]), 0];
    if (params.inpaint !== undefined) {
      const maskImage = graph.add('LoadImage', [['image', fileName(params.inpaint.maskImage)]], [], [{ name: 'IMAGE', type: 'IMAGE' }, { name: 'MASK', type: 'MASK' }]);
      const mask = graph.add('ImageToMask', [['channel', 'red']], [{ name: 'image', type: 'IMAGE', from: [maskImage, 0] }], [{ name: 'MASK', type: 'MASK' }]);
      latent = [graph.add('SetLatentNoiseMask', [], [{ name: 'samples', type: 'LATENT', from: latent }, { name: 'mask', type: 'MASK', from: [mask, 0] }], [{ name: 'LATENT', type: 'LATENT' }]), 0];
      if (params.inpaint.featherPx > 0) notes.push(`The mask was feathered by ${params.inpaint.featherPx} px here; ComfyUI's noise mask is not (blur the mask image to match).`);
    }
  }

  const sampler = COMFY_SAMPLERS[params.sampler];
  if (sampler === undefined) notes.push(`ComfyUI has no ${params.sampler} sampler; the workflow uses euler with the normal schedule, which gives a different image.`);
  notes.push('ComfyUI makes its noise differently (and pads prompts its own way), so the picture will not be identical, only close.');
  const ksampler = graph.add(
    'KSampler',
    [
      ['seed', inputs.seed],
      ['steps', params.steps],
      ['cfg', params.cfg],
      ['sampler_name', sampler?.sampler ?? 'euler'],
      ['scheduler', sampler?.scheduler ?? 'normal'],
      ['denoise', params.img2img?.strength ?? 1],
    ],
    [
      { name: 'model', type: 'MODEL', from: model },
      { name: 'positive', type: 'CONDITIONING', from: [positive, 0] },
      { name: 'negative', type: 'CONDITIONING', from: [negative, 0] },
      { name: 'latent_image', type: 'LATENT', from: latent },
    ],
    [{ name: 'LATENT', type: 'LATENT' }],
  );
  const decoded = graph.add('VAEDecode', [], [{ name: 'samples', type: 'LATENT', from: [ksampler, 0] }, { name: 'vae', type: 'VAE', from: [checkpoint, 2] }], [{ name: 'IMAGE', type: 'IMAGE' }]);
  graph.add('SaveImage', [['filename_prefix', 'FaceIDStudio']], [{ name: 'images', type: 'IMAGE', from: [decoded, 0] }], []);
  return { prompt: toApi(graph.nodes), workflow: toUi(graph.nodes), notes };
}
