// A reference photo's face check, under its thumbnail: how many faces the detector found, or why none was counted,
// so a photo that cannot give the character a face is noticed before generating.
import { useEffect, useState } from 'react';
import type { Reference, ReferenceFaces } from '../../../../src-preload/contract/characters.ts';
import { useStudio } from '../../../client/studio-context.tsx';

export function faceVerdictText(faces: ReferenceFaces | undefined): string {
  if (faces === undefined) return 'Checking for a face…';
  if (faces.state !== 'analysed') return faces.message ?? 'The face check did not run.';
  if (faces.faces.length === 0) return 'No face found: this photo adds nothing to the identity.';
  return faces.faces.length === 1 ? '1 face found' : `${faces.faces.length} faces found`;
}

export function FaceVerdict({ reference }: { reference: Reference }) {
  const studio = useStudio();
  const [faces, setFaces] = useState<ReferenceFaces>();
  useEffect(() => {
    let live = true;
    void studio.references.faces({ id: reference.id }).then((result) => {
      if (live) setFaces(result.ok ? result.value : { state: 'failed', faces: [], chosenFace: null, message: result.error.userMessage });
    });
    return () => {
      live = false;
    };
  }, [studio, reference.id]);
  return <span aria-label={`Face check for ${reference.fileName}`}>{faceVerdictText(faces)}</span>;
}
