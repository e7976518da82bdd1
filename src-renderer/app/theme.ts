// The studio's look: dark by default, light on request.
import { createTheme, type Theme } from '@mui/material/styles';

export function createStudioTheme(mode: 'dark' | 'light'): Theme {
  return createTheme({
    palette: {
      mode,
      primary: { main: mode === 'dark' ? '#8ab4f8' : '#1a73e8' },
      secondary: { main: '#f28b82' },
      background: mode === 'dark' ? { default: '#121316', paper: '#1c1d21' } : {},
    },
    shape: { borderRadius: 10 },
    typography: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
    // Tooltips describe what a control does; they must not replace its name (a button's text or aria-label).
    components: { MuiTooltip: { defaultProps: { describeChild: true, disableInteractive: true, enterDelay: 500 } } },
  });
}
