// Compiles (or finds in the cache) a TAESD decoder from the user's file, for previews and draft decodes.
import { openTaesdDecoder } from '../io/taesd.ts';
import { compileComponent, type CompiledComponent, type ComponentCompileOptions } from './compile-component.ts';
import { buildTaesdDecoder, taesdConfig, type TaesdConfig } from './taesd.ts';

export type CompiledTaesd = CompiledComponent<TaesdConfig>;

export async function compileTaesdDecoder(source: string, options: ComponentCompileOptions): Promise<CompiledTaesd> {
  return compileComponent('taesd_decoder', await openTaesdDecoder(source), options, (weights) => {
    const config = taesdConfig(weights);
    return { graph: buildTaesdDecoder(weights, config), config };
  });
}
