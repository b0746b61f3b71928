import type { ImportPreview, ImportResult } from '$shared/types';
import { api, call } from '../api';
import { parseTagText } from '$shared/tags';
import { saveAs } from '../save-file';

/** Bytes to base64 for the IPC call (FileReader copes with large files; btoa does not). */
function toBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).slice(String(reader.result).indexOf(',') + 1));
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(blob);
  });
}

/**
 * Import, in a dialog opened from the Queue (or by a file dropped anywhere): a file picked or
 * dropped, or pasted tokens, previewed first, queued only when confirmed.
 */
export class ImportState {
  dialogOpen = $state(false);
  preview = $state<ImportPreview | null>(null);
  result = $state<ImportResult | null>(null);
  progress = $state<number | null>(null);
  error = $state<string | null>(null);
  tagText = $state('');
  /** A commit is out: 100,000 rows take a second or two, and a second click must not send it again. */
  committing = $state(false);

  connect(): () => void {
    return api.on('importProgress', ({ fraction }) => (this.progress = fraction));
  }

  /** The dialog, empty: nothing chosen, no tags typed. */
  start(): void {
    this.clear();
    this.dialogOpen = true;
  }

  async open(name: string, blob: Blob): Promise<void> {
    if (!this.dialogOpen) this.start();
    this.error = null;
    this.preview = null;
    this.progress = 0;
    const { value, error } = await call(api.previewImport({ name, base64: await toBase64(blob) }));
    this.progress = null;
    this.preview = value;
    this.error = error?.message ?? null;
  }

  openPasted(text: string): Promise<void> {
    return this.open('pasted tokens', new Blob([text], { type: 'text/csv' }));
  }

  async commit(): Promise<void> {
    if (!this.preview || this.committing) return;
    const tags = parseTagText(this.tagText);
    if (!tags.ok) {
      this.error = tags.reason;
      return;
    }
    this.committing = true;
    try {
      const { value, error } = await call(api.commitImport({ id: this.preview.id, tags: tags.tags }));
      this.error = error?.message ?? null;
      if (value) {
        this.result = value;
        this.dialogOpen = false;
      }
    } finally {
      this.committing = false;
    }
  }

  /** The dialog was closed (Cancel, Escape): what it held goes; a commit under way still lands. */
  closed(): void {
    if (!this.committing) this.clear();
  }

  private clear(): void {
    this.preview = null;
    this.error = null;
    this.progress = null;
    this.tagText = '';
  }
}

export const importState = new ImportState();

/** Pending claims (bulk or gather format) or the site report as a CSV file; what went wrong, or notes. */
export async function download(
  what: 'queue' | 'devices',
  format: 'bulk' | 'gather' = 'bulk',
): Promise<{ error: string } | { rows: number; notes: string[] }> {
  const { value, error } = await call(api.exportFile({ what, format }));
  if (!value) return { error: error.message };
  saveAs(value.filename, value.csv, 'text/csv');
  return { rows: value.rows, notes: value.notes };
}
