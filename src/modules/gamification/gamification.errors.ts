import { ForbiddenError } from '../../common/errors/domain-error';

/** 403 for content the caller's tier does not open; `required_level` tells them what would. */
export class AccessLevelRequiredError extends ForbiddenError {
  constructor(levelId: string, levelName: string) {
    super(`This content needs the access level "${levelName}".`, 'access_level_required');
    Object.assign(this.extra, { required_level: { id: levelId, name: levelName } });
  }
}
