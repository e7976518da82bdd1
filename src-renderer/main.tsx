// Renderer entry: connects to main (IPC or host) and renders the app.
import './zod-jitless.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { connectStudio } from './client/studio-client.ts';
import { StudioProvider } from './client/studio-context.tsx';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <StudioProvider client={connectStudio()}>
      <App />
    </StudioProvider>
  </StrictMode>,
);
