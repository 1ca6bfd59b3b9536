/** Types of after-pack.mjs for the tests. */
export interface PackContext {
  appOutDir: string;
  electronPlatformName: string;
  arch: number;
  packager: { getResourcesDir(appOutDir: string): string };
}
export function checkNativeModules(context: PackContext): void;
export default function afterPack(context: PackContext): Promise<void>;
