// Placeholder: the vBox generator lands with issue 4.
export interface VboxGenerationReport {
  specFile: string;
  outDir: string;
  files: number;
  requests: number;
  responses: number;
  enums: number;
  ms: number;
}

export async function generateVbox(_options: { specFile?: string; outDir?: string } = {}): Promise<VboxGenerationReport | undefined> {
  return undefined;
}
