// Commands the desktop app's native menu and shortcuts send to the window (event `app.command`); the renderer
// owns the views and forms, so it carries them out. Imports only zod.
import { z } from 'zod';

export const APP_COMMANDS = [
  'navigate.characters',
  'navigate.generate',
  'navigate.queue',
  'navigate.gallery',
  'navigate.models',
  'navigate.settings',
  'character.new',
  'generate.start',
  'job.cancel',
] as const;
export const AppCommandSchema = z.enum(APP_COMMANDS);
export type AppCommand = z.infer<typeof AppCommandSchema>;
