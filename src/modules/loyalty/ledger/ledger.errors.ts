import { BusinessRuleError } from '../../../common/errors/domain-error';

export class InsufficientPointsError extends BusinessRuleError {
  constructor(balance: number, requested: number) {
    super('insufficient_points', `The balance is ${balance} points; ${requested} are needed.`, { balance, requested });
  }
}
