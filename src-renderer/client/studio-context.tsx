// Makes the studio client available to every component.
import { createContext, useContext, type ReactNode } from 'react';
import type { StudioClient } from './studio-client.ts';

const StudioContext = createContext<StudioClient | null>(null);

export function StudioProvider({ client, children }: { client: StudioClient; children: ReactNode }) {
  return <StudioContext.Provider value={client}>{children}</StudioContext.Provider>;
}

export function useStudio(): StudioClient {
  const client = useContext(StudioContext);
  if (client === null) throw new Error('useStudio() outside <StudioProvider>');
  return client;
}
