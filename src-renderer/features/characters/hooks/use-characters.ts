// The character list and one character's detail, kept current through `characters.changed` events.
import type { Character, CharacterDetail } from '../../../../src-preload/contract/characters.ts';
import { useStudioQuery, type StudioQuery } from '../../../common/use-studio-query.ts';

export function useCharacters(): StudioQuery<Character[]> {
  const query = useStudioQuery(async (studio) => {
    const result = await studio.characters.list({});
    return result.ok ? { ok: true, value: result.value.characters } : result;
  }, 'characters.changed', []);
  return query;
}

export function useCharacter(id: string): StudioQuery<CharacterDetail> {
  return useStudioQuery((studio) => studio.characters.get({ id }), 'characters.changed', [id]);
}
