import type { RendererApi } from '../../preload/api';

declare global {
  interface Window {
    /** Exposed by the preload (Electron) or by the browser-test harness: the typed contract. */
    api: RendererApi;
  }
}

/** The one way the renderer reaches the main process. */
export const api = (): RendererApi => window.api;

/** The file's bytes as base64: the contract carries key files as text (see importGoogleKey). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** Saves text as a file through the browser's download (the renderer has no file system). */
export function downloadText(fileName: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: 'text/plain;charset=utf-8' }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.click();
  URL.revokeObjectURL(url);
}
