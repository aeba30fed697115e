import { type AgentOptions, type AgentWarning, runAgent } from './context.js';
import { type AgentScope, type Owner, aliasMatches, groupsInScope, listGroups, readOwners } from './scan.js';

export interface AliasMatch {
  /** The alias as the owner carries it. */
  alias: string;
  owner: Owner;
}

export interface FindAliasResult {
  alias: string;
  scope: AgentScope;
  groupsSearched: number;
  /** Users and service instances read. */
  ownersSearched: number;
  /** Every owner carrying the alias (more than one is a conflict). */
  matches: AliasMatch[];
  warnings: AgentWarning[];
}

/**
 * Who carries an alias: every user and every kind of service instance whose profile has
 * aliases, in a group, a service provider or the system. Returns every match; compares
 * case-insensitively; an alias without `@` matches the user part in any domain.
 */
export function findAlias(alias: string, scope: AgentScope, options: AgentOptions): Promise<FindAliasResult> {
  return runAgent('find-alias', options, async (context) => {
    const groups = await groupsInScope(context, scope);
    const listings = await listGroups(context, groups);
    const { owners } = await readOwners(context, listings);
    const matches: AliasMatch[] = [];
    for (const owner of owners) for (const a of owner.aliases) if (aliasMatches(a, alias)) matches.push({ alias: a, owner });
    return { alias, scope, groupsSearched: groups.length, ownersSearched: owners.length, matches, warnings: context.warnings };
  });
}
