// Models: what each feature needs and whether it is here (with one action per missing piece), the catalog with its
// licences, the commercial-clean switch, what was found in the model folders, execution providers and the self-test.
import RefreshIcon from '@mui/icons-material/Refresh';
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, FormControlLabel, Paper, Stack, Switch, Tooltip, Typography } from '@mui/material';
import { useCallback, useState, type ReactNode } from 'react';
import type { Failure } from '../../../src-preload/contract/index.ts';
import type { ModelsReadiness } from '../../../src-preload/contract/models.ts';
import { useStudio } from '../../client/studio-context.tsx';
import { ErrorNotice } from '../../common/ErrorNotice.tsx';
import { useLoad } from '../../common/use-load.ts';
import { CatalogTable } from './CatalogTable.tsx';
import type { DownloadActions } from './DownloadControl.tsx';
import { FeatureReadinessList } from './FeatureReadinessList.tsx';
import { FoundModelsTable } from './FoundModelsTable.tsx';
import { GpuRuntimePanel } from './GpuRuntimePanel.tsx';
import { ProvidersList } from './ProvidersList.tsx';
import { SelftestPanel } from './SelftestPanel.tsx';
import { useDownloads } from './use-downloads.ts';

export function ModelsPage() {
  const studio = useStudio();
  const [rescan, setRescan] = useState(0);
  const readiness = useLoad((s) => s.models.readiness({ rescan: rescan > 0 }), [rescan]);
  const inventory = useLoad((s) => s.models.inventory({ rescan: false }), [rescan]);
  const [updated, setUpdated] = useState<ModelsReadiness | undefined>();
  const [failure, setFailure] = useState<Failure | undefined>();
  const [pendingDownload, setPendingDownload] = useState<string | undefined>();
  const rescanNow = useCallback(() => {
    setUpdated(undefined);
    setRescan((n) => n + 1);
  }, []);
  const downloads = useDownloads(rescanNow);
  const current = updated ?? readiness.value;

  const startDownload = async (id: string) => {
    const result = await studio.models.download({ id });
    setFailure(result.ok ? undefined : result.error);
  };
  const actions: DownloadActions = {
    start: (id, nonCommercial) => {
      // A research-licence model needs the one-time acknowledgement before its first download.
      if (nonCommercial && current?.nonCommercialAcknowledged !== true) setPendingDownload(id);
      else void startDownload(id);
    },
    stop: (id, keepPartial) => {
      void studio.models.stopDownload({ id, keepPartial }).then((result) => setFailure(result.ok ? undefined : result.error));
    },
  };
  const acknowledge = async () => {
    const id = pendingDownload;
    setPendingDownload(undefined);
    const result = await studio.models.acknowledgeNonCommercial({});
    if (!result.ok) return setFailure(result.error);
    setUpdated(result.value);
    if (id !== undefined) await startDownload(id);
  };
  const setCommercialClean = async (on: boolean) => {
    const result = await studio.models.setCommercialClean({ on });
    if (result.ok) setUpdated(result.value);
    else setFailure(result.error);
  };

  const shownFailure = failure ?? readiness.failure ?? inventory.failure;
  const catalog = inventory.value?.catalog.filter((entry) => !(current?.commercialClean === true && entry.licence.nonCommercial)) ?? [];
  return (
    <section aria-labelledby="models-heading">
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 2, flexWrap: 'wrap' }}>
        <Typography id="models-heading" variant="h4" component="h2">
          Models
        </Typography>
        <Tooltip title="Read the model folders again (after copying files in or adding a folder in Settings)">
          <Button startIcon={<RefreshIcon />} onClick={rescanNow} aria-label="Scan model folders again">
            Scan again
          </Button>
        </Tooltip>
      </Stack>
      {shownFailure === undefined ? null : <ErrorNotice failure={shownFailure} onClose={failure === undefined ? undefined : () => setFailure(undefined)} />}
      <Stack spacing={2}>
        <Panel title="Features">
          {current === undefined ? (
            <Typography color="text.secondary">Scanning the model folders…</Typography>
          ) : (
            <>
              <Typography variant="body2" sx={{ mb: 1 }} aria-label="Readiness summary">
                {current.summary}
              </Typography>
              <FeatureReadinessList features={current.features} downloads={downloads} actions={actions} />
            </>
          )}
        </Panel>
        <Panel title="Catalog">
          <Tooltip title="Hides everything under a research (non-commercial) licence and the features that need it">
            <FormControlLabel
              control={<Switch checked={current?.commercialClean ?? false} disabled={current === undefined} onChange={(event) => void setCommercialClean(event.target.checked)} />}
              label="Commercial-clean mode"
            />
          </Tooltip>
          {current?.commercialClean === true ? (
            <Alert severity="info" sx={{ my: 1 }} aria-label="Commercial-clean mode">
              Non-commercial models are hidden. {current.summary}
            </Alert>
          ) : null}
          {inventory.value === undefined ? <Typography color="text.secondary">Loading the catalog…</Typography> : <CatalogTable entries={catalog} downloads={downloads} actions={actions} />}
        </Panel>
        <Panel title="Found in your folders">{inventory.value === undefined ? <Typography color="text.secondary">Scanning…</Typography> : <FoundModelsTable inventory={inventory.value} />}</Panel>
        <Panel title="Execution providers">
          <Stack spacing={2}>
            <ProvidersList />
            <GpuRuntimePanel />
          </Stack>
        </Panel>
        <Panel title="Self-test">
          <SelftestPanel />
        </Panel>
      </Stack>
      <Dialog open={pendingDownload !== undefined} onClose={() => setPendingDownload(undefined)} aria-labelledby="noncommercial-title">
        <DialogTitle id="noncommercial-title">Research licence: non-commercial use only</DialogTitle>
        <DialogContent>
          <DialogContentText>
            The InsightFace face models and the FaceID adapters that depend on them are released for non-commercial research only. Images made with them may not be
            used commercially. The studio asks once; commercial-clean mode hides them again.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setPendingDownload(undefined)}>Cancel</Button>
          <Button variant="contained" onClick={() => void acknowledge()}>
            I understand, download
          </Button>
        </DialogActions>
      </Dialog>
    </section>
  );
}

function Panel({ title, children }: { title: string; children: ReactNode }) {
  const id = `models-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby={id}>
      <Typography id={id} variant="h6" component="h3" gutterBottom>
        {title}
      </Typography>
      {children}
    </Paper>
  );
}
