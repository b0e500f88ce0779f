import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

type Task = () => Promise<unknown>;

/**
 * Work that must happen only once a transaction has committed: writes to Redis (leaderboards) and
 * jobs for the worker. Done inside the transaction, they could run for a change that then rolls
 * back (Redis would count points nobody has) or before it is visible (a job would find nothing
 * to do). Registered as a TypeORM subscriber, the Nest way to hook the data source.
 *
 * Best effort by design: a task that fails, or a process that dies between the commit and the
 * task, loses only derived state, which the worker's scheduled jobs rebuild from the database.
 * A failing task is logged and never fails the committed request.
 */
@Injectable()
export class AfterCommit implements EntitySubscriberInterface {
  private readonly logger = new Logger(AfterCommit.name);
  private readonly pending = new WeakMap<QueryRunner, Task[]>();

  constructor(@InjectDataSource() dataSource: DataSource) {
    dataSource.subscribers.push(this);
  }

  /** Runs `task` after the transaction of `manager` commits; forgets it if the transaction rolls back. */
  schedule(manager: EntityManager, task: Task): void {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      void this.run([task]);
      return;
    }
    const tasks = this.pending.get(runner) ?? [];
    tasks.push(task);
    this.pending.set(runner, tasks);
  }

  async afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    // Still active after a commit: a savepoint was released, the real commit is yet to come.
    if (event.queryRunner.isTransactionActive) return;
    const tasks = this.pending.get(event.queryRunner);
    if (!tasks) return;
    this.pending.delete(event.queryRunner);
    await this.run(tasks);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.pending.delete(event.queryRunner);
  }

  private async run(tasks: Task[]): Promise<void> {
    for (const task of tasks) {
      try {
        await task();
      } catch (error) {
        this.logger.warn(`after-commit task failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
