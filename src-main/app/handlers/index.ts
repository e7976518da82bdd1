// Every handler of the contract, built once from the services.
import { charactersHandlers, referencesHandlers } from './characters.ts';
import { controlHandlers } from './control.ts';
import { generationsHandlers, jobsHandlers } from './generations.ts';
import type { StudioHandlers, StudioServices } from './handler-types.ts';
import { modelsHandlers } from './models.ts';
import { appHandlers, settingsHandlers } from './settings.ts';
import { galleryHandlers, masksHandlers, presetsHandlers, promptsHandlers, queueHandlers } from './studio-ui.ts';

export function createHandlers(services: StudioServices): StudioHandlers {
  return {
    app: appHandlers(services),
    characters: charactersHandlers(services),
    references: referencesHandlers(services),
    generations: generationsHandlers(services),
    jobs: jobsHandlers(services),
    models: modelsHandlers(services),
    settings: settingsHandlers(services),
    gallery: galleryHandlers(services),
    masks: masksHandlers(services),
    control: controlHandlers(services),
    presets: presetsHandlers(services),
    prompts: promptsHandlers(services),
    queue: queueHandlers(services),
  };
}
