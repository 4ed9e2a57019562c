import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import { createCacheClearCommand } from './clear.js';
import { createCacheStatsCommand } from './stats.js';

export function createCacheCommand(deps: CommandDeps): Command {
  const group = new Command('cache')
    .addCommand(createCacheStatsCommand(deps))
    .addCommand(createCacheClearCommand(deps));
  return withExamples(group, ['cache stats', 'cache clear --older-than 7d']);
}
