// PNDM with PLMS steps only (diffusers PNDMScheduler, skip_prk_steps): a linear multistep method over the last four
// model outputs; its first step runs twice (timesteps hold one step repeated), as diffusers does.
import { AlphaScheduler } from './alpha-noise.ts';
import { checkSteps, discreteTimesteps, type Scheduler, type StepResult } from './scheduler.ts';

const f = Math.fround;

export class PndmScheduler extends AlphaScheduler implements Scheduler {
  private steps = 0;
  private ets: Float32Array[] = [];
  private counter = 0;
  private curSample: Float32Array | undefined;

  setTimesteps(steps: number): void {
    checkSteps(steps, this.config.numTrainTimesteps);
    this.steps = steps;
    const ascending = discreteTimesteps(this.config, steps).reverse();
    // PLMS: every timestep but the last, the second-to-last again, then the last (descending).
    this.timesteps = [...ascending.slice(0, -1), ...ascending.slice(-2, -1), ...ascending.slice(-1)].reverse();
    this.ets = [];
    this.counter = 0;
    this.curSample = undefined;
  }

  setBeginIndex(): void {}

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array): StepResult {
    const stride = Math.floor(this.config.numTrainTimesteps / this.steps);
    let t = timestep;
    let prevT = timestep - stride;
    if (this.counter !== 1) {
      this.ets = [...this.ets.slice(-3), modelOutput];
    } else {
      prevT = timestep;
      t = timestep + stride;
    }
    const ets = this.ets;
    const n = modelOutput.length;
    let combined: Float32Array;
    let x = sample;
    if (ets.length === 1 && this.counter === 0) {
      combined = modelOutput;
      this.curSample = sample;
    } else if (ets.length === 1 && this.counter === 1) {
      const last = ets[0]!;
      combined = new Float32Array(n);
      for (let i = 0; i < n; i++) combined[i] = f(f(modelOutput[i]! + last[i]!) / 2);
      x = this.curSample ?? sample;
      this.curSample = undefined;
    } else if (ets.length === 2) {
      const [e2, e1] = [ets[0]!, ets[1]!];
      combined = new Float32Array(n);
      for (let i = 0; i < n; i++) combined[i] = f(f(f(3 * e1[i]!) - e2[i]!) / 2);
    } else if (ets.length === 3) {
      const [e3, e2, e1] = [ets[0]!, ets[1]!, ets[2]!];
      combined = new Float32Array(n);
      for (let i = 0; i < n; i++) combined[i] = f(f(f(f(23 * e1[i]!) - f(16 * e2[i]!)) + f(5 * e3[i]!)) / 12);
    } else {
      const [e4, e3, e2, e1] = [ets[0]!, ets[1]!, ets[2]!, ets[3]!];
      combined = new Float32Array(n);
      const k = f(1 / 24);
      for (let i = 0; i < n; i++) {
        combined[i] = f(k * f(f(f(f(55 * e1[i]!) - f(59 * e2[i]!)) + f(37 * e3[i]!)) - f(9 * e4[i]!)));
      }
    }
    const prevSample = this.prevSample(x, t, prevT, combined);
    this.counter += 1;
    return { prevSample };
  }

  private prevSample(sample: Float32Array, t: number, prevT: number, modelOutput: Float32Array): Float32Array {
    const alphaProd = this.alphas[t]!;
    const alphaPrev = prevT >= 0 ? this.alphas[prevT]! : this.finalAlpha;
    const betaProd = f(1 - alphaProd);
    const betaPrev = f(1 - alphaPrev);
    const sampleCoeff = f(Math.sqrt(f(alphaPrev / alphaProd)));
    const denom = f(f(alphaProd * f(Math.sqrt(betaPrev))) + f(Math.sqrt(f(f(alphaProd * betaProd) * alphaPrev))));
    const diff = f(alphaPrev - alphaProd);
    const sqrtA = f(Math.sqrt(alphaProd));
    const sqrtB = f(Math.sqrt(betaProd));
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) {
      const m = this.config.predictionType === 'v_prediction' ? f(f(sqrtA * modelOutput[i]!) + f(sqrtB * sample[i]!)) : modelOutput[i]!;
      out[i] = f(f(sampleCoeff * sample[i]!) - f(f(diff * m) / denom));
    }
    return out;
  }
}
