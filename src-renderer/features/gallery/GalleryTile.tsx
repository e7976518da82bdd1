// One gallery tile. Plain elements with inline styles: dozens are mounted on every scroll, and styled components
// would compute and insert a style rule per tile.
import { useTheme } from '@mui/material';
import { memo } from 'react';
import type { Generation } from '../../../src-preload/contract/generations.ts';
import { identityLabel, rankingLabel } from './GenerationDetail.tsx';

export interface GalleryTileProps {
  index: number;
  size: number;
  generation: Generation | undefined;
  imageUrl: string | undefined;
  isSelected: boolean;
  isDeleted: boolean;
  onOpen: () => void;
}

export const GalleryTile = memo(function GalleryTile({ index, size, generation, imageUrl, isSelected, isDeleted, onOpen }: GalleryTileProps) {
  const theme = useTheme();
  return (
    <div
      role="gridcell"
      data-tile=""
      aria-selected={isSelected}
      style={{
        width: size,
        height: size,
        flex: 'none',
        position: 'relative',
        borderRadius: 8,
        overflow: 'hidden',
        background: theme.palette.action.hover,
        outline: isSelected ? `2px solid ${theme.palette.primary.main}` : 'none',
        opacity: isDeleted ? 0.3 : 1,
      }}
    >
      {generation === undefined || imageUrl === undefined ? null : (
        <button
          type="button"
          tabIndex={-1}
          aria-label={`Image ${index + 1}, seed ${generation.seed}, identity ${identityLabel(generation)}${generation.ranking === null ? '' : `, best of N ${rankingLabel(generation.ranking)}`}${generation.favorite ? ', favourite' : ''}`}
          onClick={onOpen}
          style={{ padding: 0, border: 0, width: '100%', height: '100%', cursor: 'pointer', background: 'transparent', display: 'block' }}
        >
          <img src={imageUrl} alt="" loading="lazy" decoding="async" style={{ width: '100%', height: '100%', objectFit: 'cover', display: 'block', imageRendering: generation.width < 256 ? 'pixelated' : 'auto' }} />
          <span style={{ position: 'absolute', left: 0, right: 0, bottom: 0, padding: '2px 6px', display: 'flex', justifyContent: 'space-between', background: 'linear-gradient(transparent, rgba(0,0,0,0.65))', color: 'white', fontSize: 12 }}>
            <span>
              {generation.identityScore === null ? '' : `ID ${generation.identityScore.toFixed(2)}`}
              {/* A best-of-N picture's rank among its job's N; a rejected one kept on request is dimmed. */}
              {generation.ranking === null ? null : <span style={{ marginLeft: 6, opacity: generation.ranking.kept ? 1 : 0.6 }}>#{generation.ranking.rank}/{generation.ranking.of}</span>}
            </span>
            {generation.favorite ? <span aria-hidden style={{ color: '#ffd54f' }}>★</span> : null}
          </span>
        </button>
      )}
    </div>
  );
});
