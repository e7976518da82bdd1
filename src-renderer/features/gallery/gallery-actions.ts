// What the gallery sends to Generate: a remix (every parameter), an img2img source, or an inpaint source.
import type { Generation } from '../../../src-preload/contract/generations.ts';
import { navigate } from '../../app/navigation.ts';
import { updateStoredForm } from '../generate/form-store.ts';
import { formFromGeneration } from '../generate/generate-form.ts';

export function remix(generation: Generation): void {
  updateStoredForm((form) => formFromGeneration(form, generation));
  navigate('generate');
}

export function sendToImg2img(generation: Generation): void {
  updateStoredForm((form) => ({ ...formFromGeneration(form, generation), initImage: generation.image, maskImage: '' }));
  navigate('generate');
}

export function sendToInpaint(generation: Generation): void {
  updateStoredForm((form) => ({ ...formFromGeneration(form, generation), initImage: generation.image, maskImage: '' }));
  navigate('generate', 'inpaint');
}
