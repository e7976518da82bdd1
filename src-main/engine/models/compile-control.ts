// Compiles (or finds in the cache) a control model's graph — a ControlNet or a T2I-Adapter — from the user's file
// (compile-component.ts), with the base the model was trained for.
import { openControlNet, openT2IAdapter, type ControlBase } from '../io/controlnet.ts';
import { compileComponent, type CompiledComponent, type ComponentCompileOptions } from './compile-component.ts';
import { buildControlNet, controlNetConfig, type ControlNetConfig } from './controlnet.ts';
import { buildT2IAdapter, t2iAdapterConfig, type T2IAdapterConfig } from './t2i-adapter.ts';

export interface CompiledControlNet extends CompiledComponent<ControlNetConfig> {
  readonly base: ControlBase;
}

export interface CompiledT2IAdapter extends CompiledComponent<T2IAdapterConfig> {
  readonly base: ControlBase;
}

export type ControlCompileOptions = ComponentCompileOptions;

export async function compileControlNet(source: string, options: ControlCompileOptions): Promise<CompiledControlNet> {
  const opened = await openControlNet(source);
  const config = options.config ?? opened.config;
  const compiled = await compileComponent('controlnet', opened, { ...options, ...(config ? { config } : {}) }, (weights) => {
    const built = controlNetConfig(weights, 'controlnet.', config);
    return { graph: buildControlNet(weights, built, { fusedAttention: true }), config: built };
  });
  return { ...compiled, base: opened.base };
}

export async function compileT2IAdapter(source: string, options: ControlCompileOptions): Promise<CompiledT2IAdapter> {
  const opened = await openT2IAdapter(source);
  // Revision 2: the config names its unshuffle factor and pools (full_adapter_xl).
  const compiled = await compileComponent('t2i_adapter', opened, options, (weights) => {
    const config = t2iAdapterConfig(weights, 't2i.');
    return { graph: buildT2IAdapter(weights, config), config };
  }, 2);
  return { ...compiled, base: opened.base };
}
