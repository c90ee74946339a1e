/**
 * What the dashboard's Network page shows about the node, as this process sees it: when the last template came,
 * the mean interval between new heights (for a network hashrate estimate), and the recent node errors.
 */
export interface NodeErrorRecord {
  at: number;
  message: string;
}

export class NetworkTracker {
  private lastTemplate: number | null = null;
  private readonly heightTimes: Array<{ height: number; at: number }> = [];
  private readonly errors: NodeErrorRecord[] = [];
  private lastError: string | null = null;

  constructor(
    private readonly keepHeights = 20,
    private readonly keepErrors = 50,
  ) {}

  /** A template arrived (any refresh); a new height is remembered for the block interval. */
  template(height: number, at: number): void {
    this.lastTemplate = at;
    const last = this.heightTimes.at(-1);
    if (last === undefined || height > last.height) {
      this.heightTimes.push({ height, at });
      if (this.heightTimes.length > this.keepHeights) this.heightTimes.shift();
    }
  }

  /** The node's current error (null when it answers); a new message is appended to the recent list. */
  nodeError(message: string | null, at: number): void {
    if (message !== null && message !== this.lastError) {
      this.errors.unshift({ at, message });
      if (this.errors.length > this.keepErrors) this.errors.pop();
    }
    this.lastError = message;
  }

  lastTemplateAt(): number | null {
    return this.lastTemplate;
  }

  /** Mean seconds per block over the heights seen (null before two). */
  blockIntervalSeconds(): number | null {
    const first = this.heightTimes[0];
    const last = this.heightTimes.at(-1);
    if (!first || !last || last.height === first.height) return null;
    return (last.at - first.at) / 1000 / (last.height - first.height);
  }

  recentErrors(): NodeErrorRecord[] {
    return [...this.errors];
  }
}
