/**
 * A clock that moves only when a test moves it, in whole seconds since the epoch. Stand-ins that judge time (token
 * lifetimes) read it instead of the real clock, so a test of a "long" run takes no real time and gets the same verdict
 * on a busy laptop as on an idle CI runner.
 */
export class SimulatedClock {
    private seconds: number;

    /** Starts at `start` (default: the real time now, so tokens stamped with it look current to real-time checks). */
    constructor(start: number = Math.floor(Date.now() / 1000)) {
        this.seconds = start;
    }

    now(): number {
        return this.seconds;
    }

    advance(seconds: number): void {
        if (!(seconds >= 0)) {
            throw new Error(`SimulatedClock.advance: ${seconds} is not a non-negative number of seconds`);
        }
        this.seconds += seconds;
    }
}
