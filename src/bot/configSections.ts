import { registerSectionValidator, zodSectionValidator } from '../config/loadConfig.js';
import { MattermostConfigSchema } from '../../adapters/mattermost/config.js';
import { EmailConfigSchema } from '../../adapters/email/config.js';
import { SlurmConfigSchema } from '../pipeline/slurm/config.js';
import { SlackConfigSchema } from '../../adapters/slack/config.js';
import { WatchConfigSchema } from '../watch/config.js';

/** Config sections owned by adapters and backends, validated by their own schemas (check-config reports them). */
registerSectionValidator('adapters.mattermost', zodSectionValidator(MattermostConfigSchema));
registerSectionValidator('adapters.email', zodSectionValidator(EmailConfigSchema));
registerSectionValidator('backends.slurm', zodSectionValidator(SlurmConfigSchema));
registerSectionValidator('adapters.slack', zodSectionValidator(SlackConfigSchema));
registerSectionValidator('watch', zodSectionValidator(WatchConfigSchema));
