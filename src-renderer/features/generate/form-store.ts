// Where the Generate form lives between visits: localStorage. Other pages (gallery remix, inpaint) write into it
// and then open Generate, which reads it on mount.
import { acceptStoredForm, DEFAULT_FORM, type GenerateForm } from './generate-form.ts';

export const FORM_STORAGE_KEY = 'faceid-studio.generate-form.v1';

export function readStoredForm(): GenerateForm {
  try {
    const text = window.localStorage.getItem(FORM_STORAGE_KEY);
    return (text === null ? undefined : acceptStoredForm(JSON.parse(text))) ?? DEFAULT_FORM;
  } catch {
    return DEFAULT_FORM;
  }
}

export function updateStoredForm(update: (form: GenerateForm) => GenerateForm): void {
  window.localStorage.setItem(FORM_STORAGE_KEY, JSON.stringify(update(readStoredForm())));
}
