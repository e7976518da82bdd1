// The shell: app bar with the sections, and the current section's page.
import { AppBar, Box, CssBaseline, Tab, Tabs, ThemeProvider, Toolbar, Typography } from '@mui/material';
import { useEffect, useMemo, useState } from 'react';
import { useStudio } from '../client/studio-context.tsx';
import { SectionPending } from '../common/SectionPending.tsx';
import { CharacterPage } from '../features/characters/CharacterPage.tsx';
import { CharactersPage } from '../features/characters/CharactersPage.tsx';
import { GalleryPage } from '../features/gallery/GalleryPage.tsx';
import { GeneratePage } from '../features/generate/GeneratePage.tsx';
import { InpaintEditor } from '../features/inpaint/InpaintEditor.tsx';
import { ModelsPage } from '../features/models/ModelsPage.tsx';
import { QueueProvider } from '../features/queue/queue-context.tsx';
import { QueueIndicator } from '../features/queue/QueueIndicator.tsx';
import { QueuePage } from '../features/queue/QueuePage.tsx';
import { SettingsPage } from '../features/settings/SettingsPage.tsx';
import { ShortcutHelp } from '../features/shortcuts/ShortcutHelp.tsx';
import { navigate, SECTIONS, useRoute, type SectionId } from './navigation.ts';
import { createStudioTheme } from './theme.ts';

function SectionPage({ section, rest, onThemeChange }: { section: SectionId; rest: string[]; onThemeChange: (mode: 'dark' | 'light') => void }) {
  switch (section) {
    case 'characters':
      return rest[0] === undefined ? <CharactersPage /> : <CharacterPage characterId={rest[0]} />;
    case 'generate':
      return rest[0] === 'inpaint' ? <InpaintEditor /> : <GeneratePage />;
    case 'queue':
      return <QueuePage />;
    case 'gallery':
      return <GalleryPage />;
    case 'models':
      return <ModelsPage />;
    case 'settings':
      return <SettingsPage onThemeChange={onThemeChange} />;
    default:
      return <SectionPending label={SECTIONS.find((s) => s.id === section)?.label ?? section} />;
  }
}

export function App() {
  const studio = useStudio();
  const route = useRoute();
  const [mode, setMode] = useState<'dark' | 'light'>('dark');
  const theme = useMemo(() => createStudioTheme(mode), [mode]);

  useEffect(() => {
    void studio.settings.get({}).then((result) => {
      if (result.ok) setMode(result.value.theme);
    });
  }, [studio]);

  return (
    <ThemeProvider theme={theme}>
      <QueueProvider>
      <CssBaseline />
      <AppBar position="sticky" color="default" elevation={1}>
        <Toolbar variant="dense" sx={{ gap: 2 }}>
          <Typography variant="h6" component="h1" sx={{ whiteSpace: 'nowrap' }}>
            FaceID Studio
          </Typography>
          <Tabs component="nav" aria-label="Sections" value={route.section} onChange={(_event, value: SectionId) => navigate(value)} variant="scrollable">
            {SECTIONS.map((section) => (
              <Tab key={section.id} value={section.id} label={section.label} id={`section-${section.id}`} />
            ))}
          </Tabs>
          <QueueIndicator />
          <ShortcutHelp />
        </Toolbar>
      </AppBar>
      <Box component="main" sx={{ p: 3, maxWidth: 1400, mx: 'auto' }}>
        <SectionPage section={route.section} rest={route.rest} onThemeChange={setMode} />
      </Box>
      </QueueProvider>
    </ThemeProvider>
  );
}
