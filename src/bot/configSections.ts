import { registerSectionValidator, zodSectionValidator } from '../config/sections.js';
import { SLACK_RENAMED_KEYS, SlackConfigSchema } from '../../adapters/slack/config.js';
import { MATTERMOST_RENAMED_KEYS, MattermostConfigSchema } from '../../adapters/mattermost/config.js';
import { EMAIL_RENAMED_KEYS, EmailConfigSchema } from '../../adapters/email/config.js';
import { ConsoleConfigSchema } from '../../adapters/console/config.js';
import { SLURM_RENAMED_KEYS, SlurmConfigSchema } from '../pipeline/slurm/config.js';
import { LocalBackendConfigSchema } from '../pipeline/local/config.js';
import { WatchConfigSchema } from '../watch/config.js';
import { AuthConfigSchema } from '../dispatch/config.js';
import { peopleSectionIssues } from '../people/peopleSection.js';

/**
 * Config sections owned by other areas (adapters, backends, the watcher, the access list), each validated by its
 * owner's schema;
 * registered here by the bot assembly so src/config knows none of them. check-config reports their problems,
 * with a "did you mean" for keys that were renamed.
 */
registerSectionValidator('adapters.slack', zodSectionValidator(SlackConfigSchema, SLACK_RENAMED_KEYS));
registerSectionValidator('adapters.mattermost', zodSectionValidator(MattermostConfigSchema, MATTERMOST_RENAMED_KEYS));
registerSectionValidator('adapters.email', zodSectionValidator(EmailConfigSchema, EMAIL_RENAMED_KEYS));
registerSectionValidator('adapters.console', zodSectionValidator(ConsoleConfigSchema));
registerSectionValidator('backends.slurm', zodSectionValidator(SlurmConfigSchema, SLURM_RENAMED_KEYS));
registerSectionValidator('backends.local', zodSectionValidator(LocalBackendConfigSchema));
registerSectionValidator('watch', zodSectionValidator(WatchConfigSchema));
registerSectionValidator('auth.users', zodSectionValidator(AuthConfigSchema));
registerSectionValidator('people', peopleSectionIssues);
