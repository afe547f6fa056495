import { RunningJob } from '../runtime/running-job';

/**
 * The context of a replica: a scalable job's handler running on an executor that does not own the job.
 * It shares the job's work (its queue-group subscriptions) but records nothing: progress is dropped and a
 * step not yet recorded by the owner runs without being recorded, so the job's transitions stay the owner's.
 */
export class ReplicaJob extends RunningJob {
  override progress(): Promise<void> {
    return Promise.resolve();
  }

  override async step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const steps = this.stream.state.steps;
    if (Object.prototype.hasOwnProperty.call(steps, name)) return steps[name] as T;
    return fn();
  }
}
