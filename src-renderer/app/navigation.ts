// The app's sections and its location (kept in the URL hash, so a reload stays on the same page).
import { useEffect, useState } from 'react';

export const SECTIONS = [
  { id: 'characters', label: 'Characters' },
  { id: 'generate', label: 'Generate' },
  { id: 'queue', label: 'Queue' },
  { id: 'gallery', label: 'Gallery' },
  { id: 'models', label: 'Models' },
  { id: 'settings', label: 'Settings' },
] as const;
export type SectionId = (typeof SECTIONS)[number]['id'];

export interface Route {
  section: SectionId;
  /** What follows the section, e.g. a character id in #/characters/<id>. */
  rest: string[];
}

function parseHash(hash: string): Route {
  const [section = '', ...rest] = hash.replace(/^#\/?/, '').split('/').map((part) => decodeURIComponent(part));
  const known = SECTIONS.find((s) => s.id === section);
  return { section: known?.id ?? 'characters', rest: known === undefined ? [] : rest.filter((part) => part !== '') };
}

export function routeHash(section: SectionId, ...rest: string[]): string {
  return `#/${[section, ...rest].map(encodeURIComponent).join('/')}`;
}

export function navigate(section: SectionId, ...rest: string[]): void {
  window.location.hash = routeHash(section, ...rest);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
