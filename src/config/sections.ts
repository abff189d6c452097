import { registerSectionValidator, zodSectionValidator } from './loadConfig.js';
import { MattermostConfigSchema } from '../../adapters/mattermost/config.js';

/** Config sections owned by adapters and backends, validated by their own schemas (check-config reports them). */
registerSectionValidator('adapters.mattermost', zodSectionValidator(MattermostConfigSchema));
