import { type AgentOptions, type AgentWarning, firstTable, runAgent, tableAt } from './context.js';

export interface CallCenterAgent {
  userId: string;
  name: string;
  phoneNumber?: string;
  extension?: string;
  skillLevel?: string;
  /** The agent's ACD state (`Available`, `Unavailable`, `Wrap-Up`, `Sign-In`, `Sign-Out`). */
  acdState?: string;
  /** The agent has joined this call center. */
  joined?: boolean;
  /** Listed as staffed in the queue status. */
  staffed: boolean;
}

export interface CallCenterDigestResult {
  serviceUserId: string;
  settings: {
    name?: string;
    phoneNumber?: string;
    extension?: string;
    aliases: string[];
    type?: string;
    policy?: string;
    queueLength?: number;
    enableVideo?: boolean;
    allowAgentLogoff?: boolean;
  };
  agents: CallCenterAgent[];
  queue: { callsQueuedNow?: number; agentsStaffed: number };
  warnings: AgentWarning[];
}

/** A call center: its settings, its agents with their ACD state, and its queue status. */
export function callCenterDigest(serviceUserId: string, options: AgentOptions): Promise<CallCenterDigestResult> {
  return runAgent('call-center-digest', options, async (context) => {
    const center = await context.target({ $type: context.requireType('GroupCallCenterGetInstanceRequest'), serviceUserId }, `call center ${serviceUserId}`);
    const [agentList, queueStatus] = await context.fetch('call center', [
      { command: { $type: context.requireType('GroupCallCenterGetAgentListRequest'), serviceUserId }, target: serviceUserId },
      { command: { $type: context.requireType('GroupCallCenterGetInstanceQueueStatusRequest'), serviceUserId }, target: serviceUserId },
    ]);
    const agents = firstTable(agentList);
    const userCallCenter = context.requireType('UserCallCenterGetRequest');
    const states = await context.fetch(
      'agents',
      agents.map((a) => ({ command: { $type: userCallCenter, userId: a.userId }, target: a.userId })),
    );
    const staffed = new Set(tableAt(queueStatus, 'agentsCurrentlyStaffed').map((r) => r.userId));
    const profile = (center.serviceInstanceProfile ?? {}) as Record<string, unknown>;
    return {
      serviceUserId,
      settings: {
        name: str(profile.name),
        phoneNumber: str(profile.phoneNumber),
        extension: str(profile.extension),
        aliases: Array.isArray(profile.alias) ? (profile.alias as string[]) : [],
        type: str(center.type),
        policy: str(center.policy),
        queueLength: typeof center.queueLength === 'number' ? center.queueLength : undefined,
        enableVideo: typeof center.enableVideo === 'boolean' ? center.enableVideo : undefined,
        allowAgentLogoff: typeof center.allowAgentLogoff === 'boolean' ? center.allowAgentLogoff : undefined,
      },
      agents: agents.map((a, i) => {
        const state = states[i];
        const row = tableAt(state, 'callCenterTable').find((r) => r.serviceUserId === serviceUserId);
        return {
          userId: a.userId as string,
          name: [a.firstName, a.lastName].filter(Boolean).join(' '),
          phoneNumber: a.phoneNumber || undefined,
          extension: a.extension || undefined,
          skillLevel: a.skillLevel || undefined,
          acdState: str(state?.agentACDState),
          joined: row ? row.available === 'true' : undefined,
          staffed: staffed.has(a.userId),
        };
      }),
      queue: {
        callsQueuedNow: typeof queueStatus?.numberOfCallsQueuedNow === 'number' ? queueStatus.numberOfCallsQueuedNow : undefined,
        agentsStaffed: staffed.size,
      },
      warnings: context.warnings,
    };
  });
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
