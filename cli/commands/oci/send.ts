import type { Argv, CommandModule } from 'yargs';
import { ThorsHammerError } from '../../../runtime/errors.js';
import { OciClient, type OciResponse } from '../../../runtime/oci/client.js';
import type { OciLogger } from '../../../runtime/oci/client/logging.js';
import { responseCsv, responseText, toJsonText } from '../../../runtime/oci/present.js';
import { OciSchema } from '../../../runtime/oci/schema.js';
import { type ConnectionArgs, connectionFrom, connectionOptions, inConnectionFlagTerms } from '../../connection.js';
import { requestFromArgs } from './request-args.js';
import { exampleRows } from '../../examples.js';

/** Bad command-line input for `hammer oci send` (TH_ERR_OCI_SEND_ARGS). */
export class OciSendArgumentError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_OCI_SEND_ARGS', message, { context });
  }
}

/** Output formats of `oci send`: aligned text, JSON with tables as records, JSON in the wire shape, CSV. */
export const SEND_FORMATS = ['table', 'json', 'raw', 'csv'] as const;
export type SendFormat = (typeof SEND_FORMATS)[number];

interface SendArgs extends ConnectionArgs {
  command: string;
  fields?: string[];
  format: SendFormat;
  json?: string;
  verbose: boolean;
}

const command: CommandModule<object, SendArgs> = {
  command: 'send <command> [fields..]',
  describe: 'Send one OCI-P command to a server and print the answer',
  builder: (y: Argv) =>
    connectionOptions(y, { serverRequired: true })
      .positional('command', {
        type: 'string',
        describe: 'Request class (exactly that version), or family / Family@latest (the newest version), e.g. UserGetRequest',
        demandOption: true,
      })
      .positional('fields', {
        type: 'string',
        array: true,
        describe:
          'key=value (text, converted by the field type) or key:=json (title:=null clears, alias:=\'["a","b"]\' is a list); dotted keys for nested elements (address.city=Paris), [n] or a repeated key for lists',
      })
      .option('format', {
        choices: SEND_FORMATS,
        default: 'table' as const,
        describe: 'Output: aligned text, JSON (tables as records keyed by camelCase heading), raw JSON (wire shape), CSV',
      })
      .option('json', { type: 'string', describe: 'JSON file with the command fields (nested values, null = nil); - for stdin; fields given as arguments win' })
      .option('verbose', { type: 'boolean', default: false, describe: 'Log connection, login and timings to stderr (passwords redacted)' })
      .example(
        exampleRows([
          ['$0 oci send UserGetRequest userId=john@example.com --url tcp://127.0.0.1:2208 --user admin', 'the newest UserGetRequest version'],
          ['$0 oci send UserModifyRequest22 userId=john@example.com title:=null --url tcp://127.0.0.1:2208 --user admin', 'clear a field (xsi:nil)'],
          [
            '$0 oci send GroupGetListInServiceProviderRequest serviceProviderId=sp1 --format csv --url tls://as.example.com --user admin --ca ca.pem',
            'a table as CSV, over TLS with the CA of the server',
          ],
        ]),
      ) as unknown as Argv<SendArgs>,
  handler: (args) => inConnectionFlagTerms(() => send(args)),
};
export default command;

async function send(args: SendArgs): Promise<void> {
  const schema = await OciSchema.load(args.release ?? OciSchema.newestRelease());
  // The request first: a mistake in it is reported before anyone is asked for a password.
  const { command: request } = await requestFromArgs(schema, args.command, { json: args.json, fields: args.fields });
  const connection = await connectionFrom(args, (m, c) => new OciSendArgumentError(m, c));
  const logger: OciLogger | undefined = args.verbose
    ? {
        debug: (m, d) => process.stderr.write(`debug ${m} ${JSON.stringify(d ?? {})}\n`),
        info: (m, d) => process.stderr.write(`info ${m} ${JSON.stringify(d ?? {})}\n`),
        warn: (m, d) => process.stderr.write(`warn ${m} ${JSON.stringify(d ?? {})}\n`),
        error: (m, d) => process.stderr.write(`error ${m} ${JSON.stringify(d ?? {})}\n`),
      }
    : undefined;
  const client = new OciClient({ ...connection, schema, reconnect: false, logger });
  try {
    await client.connect();
    const response = (await client.send(request)) as OciResponse;
    process.stdout.write(formatResponse(response, args.format));
  } finally {
    await client.close();
  }
}

/** Renders a response in one of the {@link SEND_FORMATS} (the runtime's presenters). */
export function formatResponse(response: OciResponse, format: SendFormat): string {
  switch (format) {
    case 'json':
      return toJsonText(response, { tables: 'records' });
    case 'raw':
      return toJsonText(response, { tables: 'raw' });
    case 'csv':
      return responseCsv(response);
    default:
      return responseText(response);
  }
}
