// What a section shows until its feature lands (the studio UI issue fills Generate, Queue, Gallery, Models, Settings).
import { Paper, Typography } from '@mui/material';

export function SectionPending({ label }: { label: string }) {
  return (
    <Paper variant="outlined" sx={{ p: 4 }}>
      <Typography variant="h5" component="h2" gutterBottom>
        {label}
      </Typography>
      <Typography color="text.secondary">This section is not available in this build yet.</Typography>
    </Paper>
  );
}
