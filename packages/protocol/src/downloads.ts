import { z } from 'zod';

/**
 * SM-1: the programs this server offers for download (the Downloads page,
 * the customer's "Download Support Manager" link). The files are built by the
 * project (`npm run package -w apps/support-manager`); a file not built yet is
 * not listed.
 */

/** The Support Manager archive for Linux x64 and where the server sends it. */
export const SUPPORT_MANAGER_LINUX_X64 = 'support-manager-linux-x64.tar.gz';
export const SUPPORT_MANAGER_LINUX_X64_URL = `/downloads/${SUPPORT_MANAGER_LINUX_X64}`;

export const DownloadPlatform = z.enum(['linux-x64']);
export type DownloadPlatform = z.infer<typeof DownloadPlatform>;

export const DownloadItem = z.object({
  /** The page names the product in the reader's language. */
  product: z.literal('support-manager'),
  platform: DownloadPlatform,
  fileName: z.string(),
  /** Path on this server. */
  url: z.string(),
  /** Bytes. */
  size: z.number().int().nonnegative(),
  /** Lower-case hex, of the exact bytes `url` sends. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** When the file was built (ISO 8601). */
  builtAt: z.string(),
});
export type DownloadItem = z.infer<typeof DownloadItem>;

export const DownloadList = z.object({ downloads: z.array(DownloadItem) });
export type DownloadList = z.infer<typeof DownloadList>;
