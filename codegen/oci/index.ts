// Placeholder: the OCI-P generator lands with issue 2.
export interface OciGenerationReport {
  release: string;
  schemasDir: string;
  outDir: string;
  files: number;
  requests: number;
  dataResponses: number;
  complexTypes: number;
  simpleTypes: number;
  ms: number;
}

export function findOciReleases(): { release: string; schemasDir: string }[] {
  return [];
}

export async function generateOciRelease(_options: { release: string; schemasDir?: string; outDir?: string }): Promise<OciGenerationReport> {
  throw new Error('OCI-P generator not implemented yet');
}
